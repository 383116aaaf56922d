"""Applicant identity checks: resident ID numbers (GB 11643) and unified social credit codes (GB 32100)."""
from __future__ import annotations

from datetime import date

from .errors import InvalidArgument

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_valid(number: str) -> bool:
    """An 18-digit resident ID number with a valid birth date and check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def credit_code_valid(code: str) -> bool:
    """An 18-character unified social credit code with a valid check character."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code.upper()):
        return False
    code = code.upper()
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def check_applicant(kind: str, name: str, id_number: str, legal_representative: str = "") -> None:
    """Refuse an applicant whose identity fields are missing or fail their checksum."""
    if not name or len(name) > 100:
        raise InvalidArgument("the applicant's name is required (at most 100 characters)")
    if kind == "person":
        if not resident_id_valid(id_number):
            raise InvalidArgument("resident ID number is not valid (18 digits, check digit)")
    elif kind == "company":
        if not credit_code_valid(id_number):
            raise InvalidArgument(f"unified social credit code {id_number!r} is not valid")
        if not legal_representative:
            raise InvalidArgument("a company application names its legal representative")
    else:
        raise InvalidArgument("the applicant must be a person or a company")
