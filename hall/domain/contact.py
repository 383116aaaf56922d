"""How the hall reaches an applicant: the form of a phone number (mainland mobile or fixed
line, as 12345 and the SMS gateway take them)."""
from __future__ import annotations

import re

MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
# area code 0xx or 0xxx, 7 or 8 digits, an optional extension: 0531-86012345, 053186012345-801
FIXED_LINE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?$")


def is_mobile(phone: str) -> bool:
    return bool(MOBILE.match(phone))


def is_phone(phone: str) -> bool:
    """A mainland mobile or fixed-line number; spaces and hyphens between digit groups are
    allowed (138 0531 0000), nothing else."""
    compact = re.sub(r"[ ]", "", phone)
    return bool(MOBILE.match(compact.replace("-", "")) or FIXED_LINE.match(compact))
