"""电子证照库: the e-licence an approved licence-type item issues, sealed by its department.

The licence document is immutable once issued; its status is derived when it is read:
revoked if the decision behind it was revoked, tampered if the stored text no longer matches
the seal's signature, expired after valid_to, otherwise valid.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from .seal import canonical, verify

FIELDS = ("licence_number", "licence_type", "licence_name", "holder_id", "holder_name", "item_code",
          "department", "valid_from", "valid_to", "trust_level", "case_no", "issued_at")


def licence_number(licence_type: str, case_no: str) -> str:
    """One number per case and type, so a retried issuance can never issue a second licence."""
    return f"{licence_type}-{case_no}"


def valid_to(valid_from: str, years: int) -> str:
    """The last day of validity, `years` after the first (the day before the anniversary);
    empty for 长期有效."""
    if not years:
        return ""
    start = date.fromisoformat(valid_from)
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return date.fromordinal(end.toordinal() - 1).isoformat()


def issue(case_no: str, item: dict, applicant: dict, licence_type: dict, department: str,
          issued_at: str, signer: Callable[[str, dict], dict]) -> dict:
    """The sealed licence record for an approved case (valid from the day of the decision)."""
    document = {
        "licence_number": licence_number(licence_type["code"], case_no),
        "licence_type": licence_type["code"], "licence_name": licence_type["name"],
        "holder_id": applicant.get("id_number", ""), "holder_name": applicant.get("name", ""),
        "item_code": item.get("code", ""), "department": department,
        "valid_from": issued_at[:10], "valid_to": valid_to(issued_at[:10], licence_type.get("validity_years", 0)),
        "trust_level": licence_type.get("trust_level", "A"), "case_no": case_no, "issued_at": issued_at,
    }
    return {**document, **signer(department, document)}


def event_data(lic: dict) -> dict:
    """The licence_issued event's data (contracts.md)."""
    return {k: lic[k] for k in ("licence_number", "licence_type", "holder_id", "holder_name",
                                "item_code", "valid_from", "valid_to", "department")}


def status(lic: dict, revoked: bool, public_key: str | None, today: date) -> str:
    """valid, expired, revoked or tampered, checked against the seal's known public key."""
    document = {k: lic.get(k, "") for k in FIELDS}
    if (not public_key or canonical(document) != lic.get("document_json")
            or not verify(lic["document_json"], lic.get("signature", ""), public_key)):
        return "tampered"
    if revoked:
        return "revoked"
    if lic.get("valid_to") and date.fromisoformat(lic["valid_to"]) < today:
        return "expired"
    return "valid"
