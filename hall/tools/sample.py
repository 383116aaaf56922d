"""Sample applicants with valid identity numbers, for the demo, the tests and the benchmark."""
from __future__ import annotations

import random

from hall.domain.applicant import _ID_CHECK, _ID_WEIGHTS, _USCC_CHARS, _USCC_WEIGHTS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def resident_id(rng: random.Random) -> str:
    body = f"370102{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS)) % 11]


def credit_code(rng: random.Random) -> str:
    body = "91370102" + "".join(rng.choice(_USCC_CHARS) for _ in range(9))
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def person(rng: random.Random | None = None) -> dict:
    rng = rng or random.Random()
    return {"kind": "person", "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "id_number": resident_id(rng), "phone": f"13{rng.randint(100000000, 999999999)}"}


def company(rng: random.Random | None = None) -> dict:
    rng = rng or random.Random()
    return {"kind": "company", "name": f"济南{rng.choice(GIVEN)}{rng.choice(GIVEN)}餐饮有限公司",
            "id_number": credit_code(rng), "legal_representative": person(rng)["name"],
            "phone": f"15{rng.randint(100000000, 999999999)}"}
