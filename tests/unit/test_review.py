"""One department's review: claims, step order, supplement and procedure pauses, extension,
sign-off by the named chief representative, and decisions that never change after issue."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hall.domain.errors import NotFound, AlreadyDone, InvalidArgument, PermissionDenied, StepOutOfOrder
from hall.domain.events import new_event
from hall.domain.identity import no_such_case, Actor
from hall.domain import desk
from hall.domain.workdays import WorkCalendar
from tests.unit.backoffice_fixtures import NOW, authority, chief, reviewer, routed

AUTH = authority()
CAL = WorkCalendar.load(None)


def test_a_second_reviewer_cannot_claim_a_claimed_case_nor_act_on_it():
    case = routed(["SYJ"])
    case.act(reviewer("SYJ", 1), "claim", {}, AUTH, NOW)
    with pytest.raises(StepOutOfOrder, match="already claimed by R-SYJ-1"):
        case.act(reviewer("SYJ", 2), "claim", {}, AUTH, NOW)
    with pytest.raises(PermissionDenied, match="claimed by R-SYJ-1"):
        case.act(reviewer("SYJ", 2), "decide", {"outcome": "approve"}, AUTH, NOW)
    case.act(chief("SYJ"), "assign", {"assignee": "R-SYJ-2"}, AUTH, NOW)
    case.act(reviewer("SYJ", 2), "decide", {"outcome": "approve"}, AUTH, NOW)
    assert case.children["SYJ"].status == "approved"
    assert [h["action"] for h in case.children["SYJ"].history] == ["claimed", "assigned", "decided"]


def test_deciding_an_unclaimed_case_claims_it_for_the_reviewer():
    case = routed(["SYJ"])
    case.act(reviewer("SYJ"), "decide", {"outcome": "approve"}, AUTH, NOW)
    assert case.children["SYJ"].claimed_by == "R-SYJ-1" and case.outcome == "approved"


def test_a_reviewer_of_another_department_may_not_act_on_the_case_nor_tell_it_exists():
    case = routed(["SYJ"])
    with pytest.raises(NotFound) as hidden:
        case.act(reviewer("CGJ"), "claim", {}, AUTH, NOW)
    assert str(hidden.value) == no_such_case(case.case_no)
    with pytest.raises(PermissionDenied, match="may not act for SYJ"):
        case.act(reviewer("CGJ"), "decide", {"department": "SYJ", "outcome": "approve"}, AUTH, NOW)
    assert case.children["SYJ"].history == []


def test_a_rejection_by_a_reviewer_waits_for_the_named_chief_representatives_sign_off():
    case = routed(["SYJ"])
    case.act(reviewer("SYJ"), "decide", {"outcome": "reject", "reason": "场所不符合要求",
                                         "legal_basis": "《食品经营许可管理办法》第十一条"}, AUTH, NOW)
    assert case.children["SYJ"].status == "signoff" and not case.outcome
    impostor = Actor("LX-SYJ-99", "chief", "LX00", "SYJ")
    with pytest.raises(PermissionDenied, match="LX-SYJ-01"):
        case.act(impostor, "sign_off", {"approve": True}, AUTH, NOW)
    events = case.act(chief("SYJ"), "sign_off", {"approve": True}, AUTH, NOW)
    assert [e.type for e in events] == ["decision_made", "case_decided"]
    made = events[0].data
    assert (made["outcome"], made["signed_by"], made["legal_basis"]) == \
        ("rejected", "LX-SYJ-01", "《食品经营许可管理办法》第十一条")


def test_the_chief_may_send_a_proposal_back_with_a_note():
    case = routed(["SYJ"])
    case.act(reviewer("SYJ"), "decide", {"outcome": "approve_with_conditions",
                                         "conditions": ["三个月内完成整改"]}, AUTH, NOW)
    with pytest.raises(InvalidArgument, match="note"):
        case.act(chief("SYJ"), "sign_off", {"approve": False}, AUTH, NOW)
    case.act(chief("SYJ"), "sign_off", {"approve": False, "note": "条件表述不清"}, AUTH, NOW)
    assert case.children["SYJ"].status == "pending" and case.children["SYJ"].proposal == {}


def test_an_approval_with_conditions_must_list_them():
    case = routed(["SYJ"])
    with pytest.raises(InvalidArgument, match="conditions"):
        case.act(chief("SYJ"), "decide", {"outcome": "approve_with_conditions"}, AUTH, NOW)
    case.act(chief("SYJ"), "decide", {"outcome": "approve_with_conditions", "conditions": ["限期整改"]}, AUTH, NOW)
    assert case.children["SYJ"].decision["conditions"] == ["限期整改"]


def test_steps_out_of_order_are_refused():
    case = routed(["SYJ"])
    with pytest.raises(StepOutOfOrder, match="ending a special procedure"):
        case.act(reviewer("SYJ"), "end_procedure", {}, AUTH, NOW)
    case.act(reviewer("SYJ"), "request_supplement", {"reason": "材料不全",
                                                     "materials": [{"name": "平面图", "problem": "未标尺寸"}]}, AUTH, NOW)
    with pytest.raises(StepOutOfOrder, match="supplement"):
        case.act(reviewer("SYJ"), "decide", {"outcome": "approve"}, AUTH, NOW)
    with pytest.raises(StepOutOfOrder):
        case.act(reviewer("SYJ"), "start_procedure", {"kind": "现场勘验", "expected_days": 5, "note": "x"}, AUTH, NOW)


def test_a_supplement_pauses_the_clock_until_the_applicants_materials_arrive():
    case = routed(["SYJ"])
    events = case.act(reviewer("SYJ"), "request_supplement", {"reason": "材料不全", "materials": [
        {"name": "平面图", "problem": "未标尺寸"}]}, AUTH, NOW)
    assert events[0].type == "supplement_requested" and events[0].data["materials"][0]["name"] == "平面图"
    later = NOW + timedelta(days=7)
    assert desk.worklist_line(case, "SYJ", CAL, later.date())["paused"]
    arrived = new_event("supplement_submitted", case.case_no, "LX00", later, {"staff_id": "c1", "role": "clerk",
                        "site": "LX00"}, {"department": "SYJ", "materials": [{"name": "平面图", "form": "original", "count": 1}]})
    assert desk.supplement_submitted(case, arrived)
    assert not desk.supplement_submitted(case, arrived)  # the same event again changes nothing
    line = desk.worklist_line(case, "SYJ", CAL, later.date())
    assert case.children["SYJ"].status == "pending" and not line["paused"]
    assert line["days_left"] == 10  # asked on the day of acceptance: none of the week counted


def test_a_special_procedure_stops_the_clock_and_tells_how_long_it_takes():
    case = routed(["SYJ"])
    with pytest.raises(InvalidArgument, match="现场勘验"):
        case.act(reviewer("SYJ"), "start_procedure", {"kind": "喝茶", "expected_days": 5, "note": "x"}, AUTH, NOW)
    started = case.act(reviewer("SYJ"), "start_procedure", {"kind": "现场勘验", "expected_days": 5,
                                                            "note": "现场勘验约需5个工作日"}, AUTH, NOW)
    assert started[0].data == {"department": "SYJ", "kind": "现场勘验", "expected_days": 5, "note": "现场勘验约需5个工作日"}
    ended = case.act(reviewer("SYJ"), "end_procedure", {}, AUTH, NOW + timedelta(days=7))
    assert ended[0].type == "procedure_ended" and ended[0].data["kind"] == "现场勘验"
    assert desk.worklist_line(case, "SYJ", CAL, (NOW + timedelta(days=7)).date())["days_left"] == 10
    assert desk.worklist_line(routed(["SYJ"]), "SYJ", CAL, (NOW + timedelta(days=7)).date())["days_left"] == 5


def test_an_extension_needs_the_chief_representative_and_adds_ten_working_days_once():
    case = routed(["SYJ"])
    case.act(reviewer("SYJ"), "request_extension", {"reason": "需补充现场核查"}, AUTH, NOW)
    with pytest.raises(PermissionDenied):
        case.act(reviewer("SYJ"), "decide_extension", {"approve": True}, AUTH, NOW)
    events = case.act(chief("SYJ"), "decide_extension", {"approve": True}, AUTH, NOW)
    assert events[0].type == "extension_granted"
    assert events[0].data == {"department": "SYJ", "days": 10, "reason": "需补充现场核查", "approved_by": "LX-SYJ-01"}
    assert desk.worklist_line(case, "SYJ", CAL, NOW.date())["limit_days"] == 20
    with pytest.raises(AlreadyDone):
        case.act(reviewer("SYJ"), "request_extension", {"reason": "again"}, AUTH, NOW)


def test_a_decision_never_changes_after_issue_except_by_a_recorded_revocation():
    case = routed(["SYJ"])
    case.act(reviewer("SYJ"), "decide", {"outcome": "approve"}, AUTH, NOW)
    sealed = dict(case.children["SYJ"].decision)
    with pytest.raises(AlreadyDone):
        case.act(chief("SYJ"), "decide", {"outcome": "reject", "reason": "x", "legal_basis": "y"}, AUTH, NOW)
    with pytest.raises(PermissionDenied):
        case.act(reviewer("SYJ"), "revoke", {"reason": "以欺骗手段取得", "legal_basis": "行政许可法第六十九条"}, AUTH, NOW)
    events = case.act(chief("SYJ"), "revoke", {"reason": "以欺骗手段取得", "legal_basis": "行政许可法第六十九条"}, AUTH, NOW)
    assert events[0].type == "decision_revoked" and events[0].data["verification_code"] == sealed["code"]
    assert case.children["SYJ"].decision == sealed and case.revocation["by"] == "LX-SYJ-01"
    with pytest.raises(AlreadyDone):
        case.act(chief("SYJ"), "revoke", {"reason": "again", "legal_basis": "x"}, AUTH, NOW)
