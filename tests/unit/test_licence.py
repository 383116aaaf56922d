"""电子证照库: approving a licence-type item issues a sealed e-licence; its status is read
from the seal, the revocation and the validity."""
from __future__ import annotations

from datetime import date, timedelta

from hall.domain import licence
from tests.unit.backoffice_fixtures import NOW, authority, chief, reviewer, routed, seal_of

AUTH = authority()


def approved(departments, licence_type):
    case = routed(departments, licence_type=licence_type)
    events = []
    for d in departments:
        events += case.act(reviewer(d), "decide", {"outcome": "approve"}, AUTH, NOW)
    return case, events


def test_approving_a_licence_type_item_issues_an_e_licence_sealed_by_the_issuing_department():
    case, events = approved(["SYJ"], "SPJY")
    issued = events[-1]
    assert issued.type == "licence_issued"
    lic = case.licence
    assert issued.data == licence.event_data(lic)
    assert lic["licence_number"] == f"SPJY-{case.case_no}" and lic["licence_name"] == "食品经营许可证"
    assert (lic["holder_id"], lic["department"], lic["trust_level"]) == ("91370102MA3C0000X1", "SYJ", "A")
    assert licence.status(lic, False, seal_of("SYJ").public_key, NOW.date()) == "valid"


def test_a_joint_case_issues_the_licence_of_the_department_whose_type_it_is():
    case, _ = approved(["SCJG", "SYJ", "CGJ"], "YYZZ")
    assert case.licence["department"] == "SCJG" and case.licence["key_id"] == "SCJG-v1"


def test_a_changed_licence_is_tampered_and_a_revoked_one_is_revoked():
    case, _ = approved(["SYJ"], "SPJY")
    key = seal_of("SYJ").public_key
    assert licence.status({**case.licence, "holder_name": "李四"}, False, key, NOW.date()) == "tampered"
    assert licence.status(case.licence, False, seal_of("CGJ").public_key, NOW.date()) == "tampered"
    case.act(chief("SYJ"), "revoke", {"reason": "以欺骗手段取得", "legal_basis": "行政许可法第六十九条"}, AUTH, NOW)
    assert licence.status(case.licence, bool(case.revocation), key, NOW.date()) == "revoked"


def test_an_expired_licence_is_expired():
    case, _ = approved(["SYJ"], "SPJY")
    lic = {**case.licence, "valid_to": "2026-01-01"}
    signed = {**lic, **seal_of("SYJ").sign({k: lic[k] for k in licence.FIELDS})}
    assert licence.status(signed, False, seal_of("SYJ").public_key, NOW.date()) == "expired"


def test_a_rejected_case_or_an_item_without_licence_type_issues_none():
    case = routed(["SYJ"], licence_type="SPJY")
    events = case.act(chief("SYJ"), "decide", {"outcome": "reject", "reason": "x", "legal_basis": "y"}, AUTH, NOW)
    assert "licence_issued" not in [e.type for e in events] and case.licence == {}
    case, events = approved(["SYJ"], None)
    assert "licence_issued" not in [e.type for e in events]


def test_a_licence_is_valid_for_its_types_years_and_long_term_types_have_no_end():
    lic = approved(["SYJ"], "SPJY")[0].licence  # 食品经营许可证: five years
    start = date.fromisoformat(lic["valid_from"])
    assert lic["valid_to"] == (date(start.year + 5, start.month, start.day) - timedelta(days=1)).isoformat()
    assert licence.valid_to("2026-03-01", 0) == ""  # 长期有效
    assert licence.valid_to("2028-02-29", 1) == "2029-02-27"
