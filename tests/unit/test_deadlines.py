"""The one deadline function (hall.domain.deadlines.case_deadlines): what it returns for a case,
each deadline with its own `estimated` flag and days left. Dates counted by hand as in
tests/unit/test_clock.py (2026 Qingming Apr 4-6 off; Labour Day May 1-5 off, May 9 Sat on)."""
from __future__ import annotations

from datetime import date

import pytest

from hall.domain.clock import SPECIAL_PROCEDURE, Pause
from hall.domain.deadlines import Extension, case_deadlines
from hall.domain.workdays import WorkCalendar

MAR_2 = date(2026, 3, 2)  # Mon: d1-4 Mar 3-6, d5-9 Mar 9-13, d10-14 Mar 16-20, d15-19 Mar 23-27
ITEM = {"promised_limit": 15, "legal_limit": 20, "case_type": "承诺件", "departments": ["FGW"]}
JOINT = {"promised_limit": 30, "legal_limit": 45, "case_type": "联办件", "departments": ["ZJJ", "HBJ"]}


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.load()


def test_a_case_has_a_legal_and_a_promised_deadline_a_handover_and_a_review_per_department(cal):
    dl = case_deadlines(ITEM, MAR_2, cal, date(2026, 3, 9))
    assert dl.legal.due_date == date(2026, 3, 30) and dl.legal.limit_days == 20
    assert dl.promised.due_date == date(2026, 3, 23) and dl.promised.limit_days == 15
    assert dl.handover.due_date == date(2026, 3, 3)
    assert set(dl.reviews) == {"FGW"} and dl.reviews["FGW"].due_date == dl.promised.due_date
    assert dl.issuance is None and not dl.joint
    # Mon Mar 9: d1-5 used
    assert (dl.legal.days_left, dl.promised.days_left) == (15, 10)


def test_each_deadline_carries_its_own_estimated_flag(cal):
    # accepted Tue 2026-12-01: the promise (d15 Dec 22) is inside 2026, the legal limit
    # (d20 Dec 29) too; with 30 days the legal limit runs into 2027 (the draft year)
    dl = case_deadlines({**ITEM, "legal_limit": 30}, date(2026, 12, 1), cal, date(2026, 12, 1))
    assert dl.promised.due_date == date(2026, 12, 22) and not dl.promised.estimated
    assert dl.legal.due_date.year == 2027 and dl.legal.estimated
    assert not dl.reviews["FGW"].estimated and not dl.handover.estimated


def test_a_review_margin_ends_the_review_before_the_promise(cal):
    dl = case_deadlines(ITEM, MAR_2, cal, MAR_2, review_margin=1)
    assert dl.reviews["FGW"].limit_days == 14 and dl.reviews["FGW"].due_date == date(2026, 3, 20)
    # never shorter than the hand-over step, never longer than the promise
    small = case_deadlines({**ITEM, "promised_limit": 1}, MAR_2, cal, MAR_2, review_margin=1)
    assert small.reviews["FGW"].limit_days == 1


def test_an_ordinary_extension_moves_the_case_and_is_counted_once_in_the_review(cal):
    dl = case_deadlines(ITEM, MAR_2, cal, MAR_2, review_margin=1, extensions=[Extension("FGW", 10)])
    assert (dl.extension_days, dl.extension_capped) == (10, False)
    assert dl.legal.limit_days == 30 and dl.promised.limit_days == 25
    assert dl.reviews["FGW"].limit_days == 24  # 15 - 1 + 10, not + 20
    assert dl.reviews["FGW"].due_date <= dl.promised.due_date


def test_in_a_joint_case_a_departments_own_extension_moves_only_its_review(cal):
    dl = case_deadlines(JOINT, MAR_2, cal, MAR_2, extensions=[Extension("HBJ", 10)])
    assert dl.joint and dl.legal.limit_days == 45 and dl.promised.limit_days == 30
    assert (dl.reviews["HBJ"].limit_days, dl.reviews["ZJJ"].limit_days) == (40, 30)
    both = case_deadlines(JOINT, MAR_2, cal, MAR_2,
                          extensions=[Extension("HBJ", 10), Extension("ZJJ", 15, joint=True)])
    assert both.legal.limit_days == 60 and both.promised.limit_days == 45
    assert (both.reviews["HBJ"].limit_days, both.reviews["ZJJ"].limit_days) == (55, 45)
    capped = case_deadlines(JOINT, MAR_2, cal, MAR_2, extensions=[Extension("ZJJ", 15, joint=True)] * 2)
    assert (capped.extension_days, capped.extension_capped) == (15, True)


def test_a_departments_pause_stops_the_case_and_its_own_review_not_the_others(cal):
    pause = Pause(date(2026, 3, 10), date(2026, 3, 13), SPECIAL_PROCEDURE)  # leaves out Mar 11-13
    dl = case_deadlines(JOINT, MAR_2, cal, date(2026, 3, 16), pauses={"HBJ": [pause]})
    plain = case_deadlines(JOINT, MAR_2, cal, date(2026, 3, 16))
    assert dl.legal.due_date > plain.legal.due_date and dl.promised.due_date > plain.promised.due_date
    assert dl.reviews["HBJ"].due_date > plain.reviews["HBJ"].due_date
    assert dl.reviews["ZJJ"].due_date == plain.reviews["ZJJ"].due_date
    open_ = case_deadlines(JOINT, MAR_2, cal, date(2026, 3, 12), pauses={"HBJ": [Pause(date(2026, 3, 10))]})
    assert open_.legal.paused and open_.reviews["HBJ"].paused and not open_.reviews["ZJJ"].paused


def test_issuance_runs_ten_working_days_from_the_decision(cal):
    dl = case_deadlines(ITEM, MAR_2, cal, date(2026, 3, 27), decided_on=date(2026, 3, 27))
    # d1 Mar 30 ... d5 Apr 3, Apr 4-6 off, d6-9 Apr 7-10, d10 Apr 13
    assert dl.issuance.due_date == date(2026, 4, 13) and dl.issuance.days_left == 10


def test_a_due_reads_as_the_deadline_message(cal):
    d = case_deadlines(ITEM, MAR_2, cal, MAR_2).promised.to_dict()
    assert d == {"limit_days": 15, "due_date": "2026-03-23", "days_left": 15, "estimated": False,
                 "paused": False}
