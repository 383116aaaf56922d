"""The per-case record the scan reads, the warnings it owes, and supervision notices: raised
once to the chief representative, escalated to the office, acknowledged by the right people."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from hall.domain import case_record, identity, supervision
from hall.domain.case_clock import Policy, facts
from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, InvalidArgument, PermissionDenied
from hall.domain.identity import Actor
from hall.domain.workdays import WorkCalendar
from tests.unit.test_case_clock import accepted, ev

CHIEF = {"staff_id": "LX-FGW-01", "name": "王建国"}
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.load()


def routed_case(promised=10):
    return [accepted("2026-03-02", promised, 20), ev("case_routed", "2026-03-02", {"departments": ["FGW"]})]


def test_the_scan_moving_a_record_forward_agrees_with_rebuilding_it_from_the_events(cal):
    f = facts(routed_case())
    start = case_record.build(f, cal, date(2026, 3, 2), Policy())
    for i in range(0, 30):
        day = date(2026, 3, 2) + timedelta(days=i)
        rebuilt = case_record.build(f, cal, day, Policy())
        moved = case_record.restate(start, day)
        assert [w["status"] for w in moved["watches"]] == [w["status"] for w in rebuilt["watches"]], day
        assert moved["state"] == rebuilt["state"]


def test_a_record_needs_no_look_until_its_first_warning_day(cal):
    rec = case_record.build(facts(routed_case()), cal, date(2026, 3, 3), Policy())
    # promised 10 → due 03-16; due soon at d7 (2/3 of 10 rounded up) = 03-11
    assert rec["due"] == "2026-03-16" and rec["next_check"] == "2026-03-11"
    assert case_record.owed(rec) == []


def test_each_warning_is_owed_once_and_then_the_next_check_moves_on(cal):
    rec = case_record.build(facts(routed_case()), cal, date(2026, 3, 3), Policy())
    rec = case_record.restate(rec, date(2026, 3, 11))
    owed = case_record.owed(rec)
    assert [(w["key"], lv) for w, lv in owed] == [("decision", "due_soon")]
    case_record.mark_raised(rec, *owed[0])
    assert case_record.owed(rec) == []
    # the review (9 days, due Fri 03-13) is late from Sat 03-14; that is the next look
    assert case_record.next_check(rec, date(2026, 3, 11)) == "2026-03-14"


def test_overdue_after_days_without_a_scan_raises_only_the_highest_level(cal):
    rec = case_record.build(facts(routed_case()), cal, date(2026, 3, 3), Policy())
    late = case_record.restate(rec, date(2026, 3, 20))
    assert {(w["key"], lv) for w, lv in case_record.owed(late)} == {("decision", "overdue"),
                                                                  ("review:FGW", "overdue")}
    assert late["state"] == "overdue" and late["late_promised"]


def test_an_extension_moves_the_due_date_and_rearms_the_warnings(cal):
    events = routed_case()
    rec = case_record.restate(case_record.build(facts(events), cal, date(2026, 3, 3), Policy()), date(2026, 3, 17))
    for w, lv in case_record.owed(rec):
        case_record.mark_raised(rec, w, lv)
    extended = events + [ev("extension_granted", "2026-03-17", {"department": "FGW", "days": 10})]
    rec2 = case_record.build(facts(extended), cal, date(2026, 3, 17), Policy(), rec["raised"])
    assert rec2["state"] != "overdue" and rec2["due"] == "2026-03-30"
    later = case_record.restate(rec2, date(2026, 3, 31))
    assert ("decision", "overdue") in {(w["key"], lv) for w, lv in case_record.owed(later)}


def test_an_open_pause_stops_every_check_until_an_event_arrives(cal):
    events = routed_case() + [ev("supplement_requested", "2026-03-05", {"department": "FGW"})]
    rec = case_record.build(facts(events), cal, date(2026, 3, 20), Policy())
    assert rec["state"] == "paused" and rec["paused"] and rec["next_check"] is None


def test_a_closed_case_is_never_looked_at_again(cal):
    events = routed_case() + [ev("decision_made", "2026-03-05", {"department": "FGW", "outcome": "approved"}),
                              ev("case_decided", "2026-03-05", {"outcome": "approved"}),
                              ev("result_issued", "2026-03-06")]
    rec = case_record.build(facts(events), cal, date(2026, 3, 6), Policy())
    assert rec["state"] == "closed" and rec["next_check"] is None
    assert rec["on_time_promised"] and rec["on_time_legal"] and rec["working_days"] == 3


def notice_for(cal, when=date(2026, 3, 20)):
    rec = case_record.restate(case_record.build(facts(routed_case()), cal, date(2026, 3, 3), Policy()), when)
    watch, level = next((w, lv) for w, lv in case_record.owed(rec) if w["key"] == "decision")
    return supervision.raise_notice(rec, watch, level, CHIEF, NOW, timedelta(hours=8))


def test_a_notice_goes_to_the_departments_chief_with_a_readable_text_and_an_event(cal):
    notice, event = notice_for(cal)
    assert notice["to"]["staff_id"] == "LX-FGW-01" and notice["department"] == "FGW"
    assert "已超期" in notice["text"] and "王建国" in notice["text"]
    assert event.type == "supervision_raised" and event.data["notice_id"] == notice["_id"]
    again, event2 = notice_for(cal)
    assert again["_id"] == notice["_id"] and event2.id == event.id  # a rescan raises nothing new
    assert notice["escalate_at"] == NOW + timedelta(hours=8)


def test_an_open_notice_is_escalated_once_to_the_supervision_office(cal):
    notice, _ = notice_for(cal)
    changes, event = supervision.escalate(notice, NOW + timedelta(hours=9))
    assert changes["status"] == "escalated" and changes["escalate_at"] is None
    assert event.type == "supervision_escalated" and event.data["to"] == supervision.SUPERVISION_OFFICE
    with pytest.raises(AlreadyDone):
        supervision.escalate({**notice, **changes}, NOW + timedelta(hours=10))


def test_only_the_departments_chief_or_the_office_acknowledge_and_only_once(cal):
    notice, _ = notice_for(cal)
    with pytest.raises(PermissionDenied):
        supervision.acknowledge(notice, Actor("r1", "reviewer", "LX00", "FGW"), "在办", NOW)
    with pytest.raises(PermissionDenied):
        supervision.acknowledge(notice, Actor("c2", "chief", "LX00", "HBJ"), "在办", NOW)
    with pytest.raises(InvalidArgument):
        supervision.acknowledge(notice, Actor("LX-FGW-01", "chief", "LX00", "FGW"), "  ", NOW)
    done = supervision.acknowledge(notice, Actor("LX-FGW-01", "chief", "LX00", "FGW"), "今日办结", NOW)
    assert done["status"] == "acknowledged" and done["acknowledged"]["by"]["staff_id"] == "LX-FGW-01"
    with pytest.raises(AlreadyDone):
        supervision.acknowledge({**notice, **done}, Actor("s1", "supervisor", "LX00"), "再次", NOW)


def test_a_chief_reads_only_their_own_departments_notices():
    assert identity.department_to_read(Actor("c", "chief", "LX00", "FGW"), "", "notices") == "FGW"
    assert identity.department_to_read(Actor("s", "supervisor", "LX00"), "", "notices") == ""
    with pytest.raises(PermissionDenied):
        identity.department_to_read(Actor("c", "chief", "LX00", "FGW"), "HBJ", "notices")
    with pytest.raises(PermissionDenied):
        identity.department_to_read(Actor("k", "clerk", "LX00"), "", "notices")
