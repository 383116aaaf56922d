"""The approval seal: Ed25519 signatures over the canonical decision document."""
from __future__ import annotations

import json

from hall.domain.seal import Seal, canonical, normalise_code, seed_from_secret, verify
from tests.unit.backoffice_fixtures import SECRET, seal_of

DOC = {"kind": "准予行政许可决定书", "case_no": "LX00-20260302-00001", "department": "SYJ",
       "applicant_name": "张三", "outcome": "approved", "conditions": []}


def test_a_sealed_document_verifies_with_its_departments_public_key():
    sealed = seal_of("SYJ").sign(DOC)
    assert verify(sealed["document_json"], sealed["signature"], seal_of("SYJ").public_key)
    assert json.loads(sealed["document_json"]) == DOC and sealed["key_id"] == "SYJ-v1"


def test_changing_one_character_of_the_document_fails_verification():
    sealed = seal_of("SYJ").sign(DOC)
    changed = sealed["document_json"].replace("张三", "李四")
    assert not verify(changed, sealed["signature"], seal_of("SYJ").public_key)
    assert not verify(canonical({**DOC, "outcome": "rejected"}), sealed["signature"], seal_of("SYJ").public_key)


def test_another_departments_seal_does_not_verify_the_document():
    sealed = seal_of("SYJ").sign(DOC)
    assert not verify(sealed["document_json"], sealed["signature"], seal_of("CGJ").public_key)
    assert not verify(sealed["document_json"], "not-base64!", seal_of("SYJ").public_key)


def test_keys_are_derived_deterministically_per_secret_and_department():
    a = Seal.from_seed("SYJ", seed_from_secret(SECRET, "SYJ"))
    assert a.public_key == seal_of("SYJ").public_key
    assert a.public_key != seal_of("SCJG").public_key
    assert a.public_key != Seal.from_seed("SYJ", seed_from_secret(SECRET + "x", "SYJ")).public_key


def test_the_verification_code_is_four_groups_and_tolerates_how_it_is_typed():
    code = seal_of("SYJ").sign(DOC)["code"]
    assert len(code) == 19 and code.count("-") == 3
    assert normalise_code(code.replace("-", " ").lower()) == code
