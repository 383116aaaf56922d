"""联审联办: one parent, one child per department reviewed in parallel; general and 告知承诺
modes; one rejection rejects the whole with every reason; the joint limit 45 + 15."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hall.domain import desk
from hall.domain.errors import InvalidArgument, PermissionDenied, StepOutOfOrder
from hall.domain.workdays import WorkCalendar
from tests.unit.backoffice_fixtures import NOW, authority, chief, reviewer, routed

AUTH = authority()
CAL = WorkCalendar.load(None)
DEPTS = ["SCJG", "SYJ", "CGJ"]


def reject(dept, reason):
    return {"outcome": "reject", "reason": reason, "legal_basis": f"{dept} 依据"}


def test_a_joint_case_has_one_child_per_department_with_its_own_number():
    case = routed(DEPTS)
    assert case.mode == "general" and case.lead == "SCJG"
    assert [c.child_no for c in case.children.values()] == [f"{case.case_no}-{d}" for d in DEPTS]


def test_the_parent_is_decided_only_when_every_child_is_done():
    case = routed(DEPTS)
    for d in DEPTS[:2]:
        assert [e.type for e in case.act(reviewer(d), "decide", {"outcome": "approve"}, AUTH, NOW)] == ["decision_made"]
    events = case.act(reviewer("CGJ"), "decide", {"outcome": "approve"}, AUTH, NOW)
    assert [e.type for e in events] == ["decision_made", "case_decided"]
    decided = events[1].data
    assert decided["outcome"] == "approved" and decided["verification_code"] == case.decision["code"]
    assert case.decision["key_id"] == "SCJG-v1"  # the parent's decision carries the lead's seal


def test_one_rejection_rejects_the_whole_with_every_reason():
    case = routed(DEPTS)
    case.act(chief("SYJ"), "decide", reject("SYJ", "场所布局不合理"), AUTH, NOW)
    case.act(reviewer("SCJG"), "decide", {"outcome": "approve"}, AUTH, NOW)
    events = case.act(chief("CGJ"), "decide", reject("CGJ", "店招尺寸超标"), AUTH, NOW)
    decided = events[-1]
    assert decided.type == "case_decided" and decided.data["outcome"] == "rejected"
    assert [(r["department"], r["reason"]) for r in decided.data["reasons"]] == \
        [("SYJ", "场所布局不合理"), ("CGJ", "店招尺寸超标")]


def test_in_commitment_mode_the_parent_is_decided_once_each_department_has_committed():
    case = routed(DEPTS, mode="commitment")
    with pytest.raises(InvalidArgument, match="commitment mode"):
        routed(DEPTS).act(reviewer("SYJ"), "decide", {"outcome": "commit"}, AUTH, NOW)
    case.act(reviewer("SCJG"), "decide", {"outcome": "commit"}, AUTH, NOW)
    case.act(reviewer("SYJ"), "decide", {"outcome": "approve"}, AUTH, NOW)
    events = case.act(reviewer("CGJ"), "decide", {"outcome": "commit"}, AUTH, NOW)
    assert events[-1].type == "case_decided" and events[-1].data["mode"] == "commitment"
    with pytest.raises(StepOutOfOrder, match="only confirm"):
        case.act(chief("CGJ"), "decide", reject("CGJ", "x"), AUTH, NOW)
    confirmed = case.act(reviewer("CGJ"), "decide", {"outcome": "approve"}, AUTH, NOW)
    assert [e.type for e in confirmed] == ["decision_made"]  # the parent stays decided once
    assert case.children["CGJ"].decision["confirmed"]["code"] != case.children["CGJ"].decision["code"]


def test_only_the_lead_chief_sets_the_mode_and_only_before_anyone_decides():
    case = routed(DEPTS)
    with pytest.raises(PermissionDenied):
        case.act(chief("SYJ"), "set_mode", {"mode": "commitment"}, AUTH, NOW)
    case.act(chief("SCJG"), "set_mode", {"mode": "commitment"}, AUTH, NOW)
    assert case.mode == "commitment"
    case.act(reviewer("SYJ"), "decide", {"outcome": "commit"}, AUTH, NOW)
    with pytest.raises(StepOutOfOrder):
        case.act(chief("SCJG"), "set_mode", {"mode": "general"}, AUTH, NOW)


def test_the_joint_limit_is_45_working_days_and_15_more_with_the_governments_approval():
    case = routed(DEPTS)
    assert desk.deadlines(case, CAL, NOW.date()).legal.limit_days == 45
    with pytest.raises(PermissionDenied):
        case.act(chief("SYJ"), "extend_joint", {"reason": "x", "approved_by": "区政府"}, AUTH, NOW)
    with pytest.raises(InvalidArgument, match="district government"):
        case.act(chief("SCJG"), "extend_joint", {"reason": "需专家评审"}, AUTH, NOW)
    events = case.act(chief("SCJG"), "extend_joint", {"reason": "需专家评审", "approved_by": "区政府 批复〔2026〕3号"}, AUTH, NOW)
    assert events[0].data["days"] == 15 and events[0].data["scope"] == "joint"
    assert desk.deadlines(case, CAL, NOW.date()).legal.limit_days == 60


def test_one_departments_supplement_pauses_its_own_clock_and_the_parents_not_the_others():
    case = routed(DEPTS)
    case.act(reviewer("CGJ"), "request_supplement", {"reason": "店招图不清", "materials": [
        {"name": "店招设计效果图", "problem": "未标明尺寸"}]}, AUTH, NOW)
    later = (NOW + timedelta(days=7)).date()
    lines = {d: desk.worklist_line(case, d, CAL, later) for d in DEPTS}
    assert lines["CGJ"]["paused"] and lines["CGJ"]["days_left"] == 10
    assert not lines["SYJ"]["paused"] and lines["SYJ"]["days_left"] == 5
    assert desk.deadlines(case, CAL, later).legal.paused
