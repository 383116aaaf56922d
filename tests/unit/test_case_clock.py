"""A case's clocks built from its events: promised and legal limits, step budgets, pauses,
extensions and the joint rule. Dates counted by hand as in tests/unit/test_clock.py
(2025 National Day Oct 1-8 off, Sep 28 Sun and Oct 11 Sat on; 2026 Spring Festival Feb 15-23
off, Feb 14 and Feb 28 Sat on; 2026 Qingming Apr 4-6 off; Labour Day May 1-5 off, May 9 on)."""
from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest

from hall.domain import case_clock, timeline
from hall.domain.case_clock import Policy, facts, view, watches
from hall.domain.clock import SHANGHAI
from hall.domain.workdays import WorkCalendar

_ids = itertools.count()


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.load()


def ev(type_, on, data=None, hour=10, case_no="LX00-20260302-00000001"):
    return {"id": f"e{next(_ids)}", "type": type_, "case_no": case_no, "site": "LX00",
            "at": f"{on}T{hour:02d}:00:00+08:00", "actor": {"staff_id": "clerk-1", "role": "clerk"},
            "data": data or {}}


def accepted(on, promised, legal, departments=("FGW",), case_type="承诺件", **extra):
    item = {"code": "XK-TEST", "name": "测试事项", "promised_limit": promised, "legal_limit": legal,
            "departments": list(departments), "case_type": case_type}
    return ev("case_accepted", on, {"accepted_on": on, "item": item, **extra}, hour=9)


def clocks_of(events, cal, today, policy=Policy()):
    return timeline.clocks(events, cal, today, policy)


def extension_of(events, cal, today=date(2026, 3, 20)):
    dl = case_clock.deadlines_of(facts(events), Policy(), cal, today)
    return dl.extension_days, dl.extension_capped


def test_nothing_is_built_before_the_acceptance_is_seen():
    assert facts([ev("case_routed", "2026-03-02", {"departments": ["FGW"]})]) is None


def test_a_span_over_national_day_week_counts_the_swapped_sunday_and_saturday(cal):
    events = [accepted("2025-09-26", 5, 20), ev("case_routed", "2025-09-26", {"departments": ["FGW"]})]
    c = clocks_of(events, cal, date(2025, 9, 30))
    # d1 Sun 09-28 (swapped), d2 09-29, d3 09-30, Oct 1-8 off, d4 10-09, d5 10-10
    assert c["decision"]["due_date"] == "2025-10-10"
    # d6 Sat 10-11 (swapped), d7 10-13 ... d20 10-30
    assert c["legal"]["due_date"] == "2025-10-30"
    assert c["handover"]["due_date"] == "2025-09-28" and c["handover"]["status"] == "done"


def test_spring_festival_with_its_swapped_saturdays(cal):
    c = clocks_of([accepted("2026-02-12", 10, 20)], cal, date(2026, 2, 20))
    # d1 02-13, d2 Sat 02-14 (swapped), Feb 15-23 off, d3-d6 02-24..27, d7 Sat 02-28, d8 03-02 .. d10 03-04
    assert c["decision"]["due_date"] == "2026-03-04"
    assert c["decision"]["status"] == "on_track"  # two days used during the holiday week


def test_a_limit_running_into_a_year_without_calendar_data_is_estimated_not_refused(cal):
    c = clocks_of([accepted("2026-12-15", 20, 20)], cal, date(2026, 12, 15))
    # d1 12-16 ... d12 12-31, Jan 1 off (draft file), d13 2027-01-04 ... d20 2027-01-13
    assert c["decision"]["due_date"] == "2027-01-13"
    assert c["decision"]["estimated"] and c["legal"]["estimated"]


def test_a_supplement_pauses_the_clocks_and_its_submission_resumes_them(cal):
    base = [accepted("2026-03-02", 20, 20), ev("case_routed", "2026-03-02", {"departments": ["FGW"]})]
    assert clocks_of(base, cal, date(2026, 3, 5))["decision"]["due_date"] == "2026-03-30"
    asked = base + [ev("supplement_requested", "2026-03-10", {"department": "FGW", "reason": "缺营业执照"})]
    open_ = clocks_of(asked, cal, date(2026, 3, 12))
    assert open_["decision"]["status"] == "paused" and open_["decision"]["paused"]
    assert open_["review:FGW"]["status"] == "paused"
    brought = asked + [ev("supplement_submitted", "2026-03-13", {"department": "FGW"})]
    c = clocks_of(brought, cal, date(2026, 3, 16))
    # 03-11, 03-12, 03-13 left out: due three working days later
    assert c["decision"]["due_date"] == "2026-04-02" and not c["decision"]["paused"]
    f = facts(brought)
    assert f.supplements == 1 and f.visits == 2  # acceptance and the supplement brought in


def test_events_arriving_out_of_order_give_the_same_clocks(cal):
    events = [accepted("2026-03-02", 20, 20), ev("case_routed", "2026-03-02", {"departments": ["FGW"]}),
              ev("procedure_started", "2026-03-04", {"department": "FGW", "kind": "现场勘验", "expected_days": 3}),
              ev("procedure_ended", "2026-03-09", {"department": "FGW", "kind": "现场勘验"})]
    in_order = clocks_of(events, cal, date(2026, 3, 20))
    assert clocks_of(list(reversed(events)), cal, date(2026, 3, 20)) == in_order
    # Art. 45: 03-05, 03-06, 03-09 not counted
    assert in_order["decision"]["due_date"] == "2026-04-02"


def test_an_extension_adds_its_days_to_both_clocks_and_is_capped_at_the_law(cal):
    base = [accepted("2026-03-02", 15, 20)]
    ext = base + [ev("extension_granted", "2026-03-20",
                     {"department": "FGW", "days": 10, "reason": "需进一步核查", "approved_by": "LX-FGW-01"})]
    c = clocks_of(ext, cal, date(2026, 3, 20))
    # legal d20 03-30, d21..d24 03-31..04-03, Apr 4-6 off, d25 04-07 .. d30 04-14
    assert c["legal"]["due_date"] == "2026-04-14" and c["legal"]["extension_days"] == 10
    assert c["decision"]["due_date"] == "2026-04-07"  # 15 + 10 = d25
    over = base + [ev("extension_granted", "2026-03-20", {"department": "FGW", "days": 15})]
    assert extension_of(over, cal) == (10, True)


def test_a_joint_case_runs_under_45_days_and_may_be_extended_by_15(cal):
    depts = ("ZJJ", "HBJ", "CGJ")
    base = [accepted("2026-03-02", 30, 20, depts, "联办件"),
            ev("case_routed", "2026-03-02", {"departments": list(depts)})]
    c = clocks_of(base, cal, date(2026, 3, 3))
    # d42 04-30, May 1-5 off, d43 05-06, d44 05-07, d45 05-08
    assert c["legal"]["due_date"] == "2026-05-08" and c["legal"]["limit_days"] == 45
    assert {k for k in c if k.startswith("review:")} == {"review:ZJJ", "review:HBJ", "review:CGJ"}
    own = base + [ev("extension_granted", "2026-03-20", {"department": "HBJ", "days": 10, "note": "补充核查"})]
    c = clocks_of(own, cal, date(2026, 3, 20))
    # a department's ordinary extension moves its own review budget, not the joint case's limits
    assert c["legal"]["due_date"] == "2026-05-08" and c["review:HBJ"]["extension_days"] == 10
    assert c["review:ZJJ"]["extension_days"] == 0
    ext = own + [ev("extension_granted", "2026-04-20",
                    {"department": "ZJJ", "days": 15, "reason": "联合勘验", "scope": "joint"})]
    # d46 Sat 05-09 (swapped), d47 05-11 ... d60 05-28
    c = clocks_of(ext, cal, date(2026, 4, 20))
    assert c["legal"]["due_date"] == "2026-05-28" and c["review:ZJJ"]["extension_days"] == 15
    assert extension_of(ext, cal) == (15, False)


def test_a_late_review_shows_before_the_whole_case_is_late(cal):
    events = [accepted("2026-03-02", 10, 20, ("ZJJ", "HBJ"), "联办件"),
              ev("case_routed", "2026-03-02", {"departments": ["ZJJ", "HBJ"]}),
              ev("decision_made", "2026-03-05", {"department": "ZJJ", "outcome": "approved"})]
    c = clocks_of(events, cal, date(2026, 3, 16))
    assert c["review:ZJJ"]["status"] == "done"
    assert c["review:HBJ"]["due_date"] == "2026-03-13" and c["review:HBJ"]["status"] == "overdue"
    assert c["decision"]["due_date"] == "2026-03-16" and c["decision"]["status"] == "last_day"


def test_issuance_is_watched_for_ten_working_days_from_the_decision(cal):
    events = [accepted("2026-03-02", 5, 20), ev("case_routed", "2026-03-02", {"departments": ["FGW"]}),
              ev("decision_made", "2026-03-06", {"department": "FGW", "outcome": "approved"}),
              ev("case_decided", "2026-03-06", {"outcome": "approved"})]
    c = clocks_of(events, cal, date(2026, 3, 9))
    assert c["decision"]["status"] == "done" and c["issuance"]["due_date"] == "2026-03-20"
    late = clocks_of(events + [ev("result_issued", "2026-03-23")], cal, date(2026, 3, 23))
    assert late["issuance"]["status"] == "late"


def test_watch_levels_agree_with_the_clock_engine_day_by_day(cal):
    events = [accepted("2026-02-09", 12, 20),
              ev("supplement_requested", "2026-02-11", {"department": "FGW"}),
              ev("supplement_submitted", "2026-02-26", {"department": "FGW"})]
    f = facts(events)
    for i in range(15, 50):
        today = date(2026, 2, 11) + timedelta(days=i)
        now = datetime.combine(today, time(12), SHANGHAI)
        decision = next(w for w in watches(f, Policy(), cal, today) if w.key == "decision")
        assert view(decision, cal, today, Policy())["status"] == decision.clock.status(cal, now), today


# --- issue 13 (c): an extension is counted once in the review budget ------------------------

def test_after_a_granted_extension_the_review_budget_ends_no_later_than_the_decision(cal):
    base = [accepted("2026-03-02", 15, 20), ev("case_routed", "2026-03-02", {"departments": ["FGW"]})]
    ext = base + [ev("extension_granted", "2026-03-20",
                     {"department": "FGW", "days": 10, "reason": "需进一步核查", "approved_by": "LX-FGW-01"})]
    c = clocks_of(ext, cal, date(2026, 3, 20))
    # promised 15 + 10 = d25 04-07; the review ends a day before it: d24 04-03 (not d34)
    assert c["decision"]["due_date"] == "2026-04-07"
    assert c["review:FGW"]["due_date"] <= c["decision"]["due_date"]
    assert c["review:FGW"]["due_date"] == "2026-04-03"
    assert c["review:FGW"]["limit_days"] + c["review:FGW"]["extension_days"] == 24


def test_after_the_joint_extension_every_review_budget_ends_no_later_than_the_decision(cal):
    depts = ("ZJJ", "HBJ")
    events = [accepted("2026-03-02", 30, 45, depts, "联办件"),
              ev("case_routed", "2026-03-02", {"departments": list(depts)}),
              ev("extension_granted", "2026-04-20",
                 {"department": "ZJJ", "days": 15, "reason": "联合勘验", "scope": "joint"})]
    c = clocks_of(events, cal, date(2026, 4, 20))
    for d in depts:
        assert c[f"review:{d}"]["due_date"] < c["decision"]["due_date"]
