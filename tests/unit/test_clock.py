"""The case clock, example by example: the counting building blocks (hall.domain.clock) and
the legal rules through the one deadline function (hall.domain.deadlines.case_deadlines).

Every expected date is counted by hand in the comments ("d7" = counted working day 7) against
the State Council holiday notices: 2025 National Day Oct 1-8 off, Sep 28 (Sun) and Oct 11 (Sat)
on; 2026 Spring Festival Feb 15-23 off, Feb 14 and Feb 28 (Sat) on; 2026 Qingming Apr 4-6 off;
2026 Labour Day May 1-5 off, May 9 (Sat) on; 2026 Dragon Boat Jun 19-21 off; 2026 National Day
Oct 1-7 off, Sep 20 (Sun) and Oct 10 (Sat) on.
"""
from datetime import date, datetime, timedelta, timezone

import pytest

from hall.domain.clock import SHANGHAI, SPECIAL_PROCEDURE, Clock, Pause, issuance_clock
from hall.domain.deadlines import Extension, case_deadlines
from hall.domain.workdays import WorkCalendar

# an ordinary item under Art. 42 (20 working days) and a joint one (Art. 26: 45 days)
ORDINARY = {"promised_limit": 20, "legal_limit": 20, "case_type": "承诺件", "departments": ["FGW"]}
JOINT = {"promised_limit": 30, "legal_limit": 45, "case_type": "联办件", "departments": ["ZJJ", "HBJ"]}


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.load()


def due(clock, cal, today=None):
    return clock.deadline(cal, today).due_date


def legal(accepted_on, cal, today=None, *, item=ORDINARY, pauses=(), extensions=()):
    """The legal limit's clock of a case accepted on `accepted_on`, by the one deadline function."""
    return case_deadlines(item, accepted_on, cal, today or accepted_on, pauses={"FGW": pauses},
                          extensions=extensions).legal.clock


# --- the day-1 convention -------------------------------------------------------------------

def test_day_one_is_the_first_working_day_after_acceptance_so_friday_leads_to_monday(cal):
    assert due(Clock(1, date(2026, 3, 6)), cal) == date(2026, 3, 9)  # Fri → Mon


def test_the_deadline_is_the_end_of_the_last_counted_day_in_shanghai(cal):
    dl = Clock(1, date(2026, 3, 6)).deadline(cal)
    assert dl.due == datetime(2026, 3, 9, 23, 59, 59, tzinfo=SHANGHAI)
    assert dl.due.utcoffset() == timedelta(hours=8)
    assert not dl.estimated and not dl.paused


def test_an_immediate_case_with_limit_zero_is_due_the_day_it_was_accepted(cal):
    dl = Clock(0, date(2026, 3, 4)).deadline(cal)
    assert dl.due == datetime(2026, 3, 4, 23, 59, 59, tzinfo=SHANGHAI)


def test_acceptance_on_a_holiday_starts_counting_on_the_next_working_day(cal):
    # Accepted online on 2026-10-03 (National Day): Oct 4-7 off, d1 = Thu Oct 8.
    assert due(Clock(1, date(2026, 10, 3)), cal) == date(2026, 10, 8)
    # Accepted on 2026-02-17 (Spring Festival): d1 = Tue Feb 24.
    assert due(Clock(1, date(2026, 2, 17)), cal) == date(2026, 2, 24)


# --- spans over holidays ----------------------------------------------------------------------

def test_twenty_days_from_the_swapped_sunday_before_national_day_2025(cal):
    # Accepted Sun 2025-09-28 (a working day). d1 Sep 29, d2 Sep 30, Oct 1-8 off, d3 Oct 9,
    # d4 Oct 10, d5 Sat Oct 11 (swapped), d6 Oct 13 … d10 Oct 17, d11-15 Oct 20-24,
    # d16-20 Oct 27-31.
    assert due(legal(date(2025, 9, 28), cal), cal) == date(2025, 10, 31)


def test_national_day_2026_week_is_skipped_and_its_swapped_saturday_counts(cal):
    # Accepted Wed 2026-09-30. Oct 1-7 off: d1 Oct 8, d2 Oct 9, d3 Sat Oct 10, d4 Oct 12, d5 Oct 13.
    assert due(Clock(5, date(2026, 9, 30)), cal) == date(2026, 10, 13)
    # … d6-8 Oct 14-16, d9-13 Oct 19-23, d14-18 Oct 26-30, d19 Nov 2, d20 Nov 3.
    assert due(legal(date(2026, 9, 30), cal), cal) == date(2026, 11, 3)


def test_spring_festival_2026_with_both_swapped_saturdays(cal):
    # Accepted Fri 2026-02-13. d1 Sat Feb 14 (swapped), Feb 15-23 off, d2-5 Feb 24-27,
    # d6 Sat Feb 28 (swapped), d7-10 Mar 2-5.
    assert due(Clock(10, date(2026, 2, 13)), cal) == date(2026, 3, 5)
    # d11 Mar 6, d12-16 Mar 9-13, d17-20 Mar 16-19.
    assert due(legal(date(2026, 2, 13), cal), cal) == date(2026, 3, 19)


# --- into 2027, a year chinese_calendar 1.11 does not know ------------------------------------

DEC_21 = date(2026, 12, 21)  # Mon. 2026: d1-4 Dec 22-25, d5-8 Dec 28-31.


def test_a_limit_into_a_year_without_data_counts_weekends_only_and_is_flagged(tmp_path):
    cal = WorkCalendar.load(tmp_path)  # empty dir: no 2027 file
    dl = legal(DEC_21, cal).deadline(cal)
    # Fri Jan 1 counts: d9 Jan 1, d10-14 Jan 4-8, d15-19 Jan 11-15, d20 Mon Jan 18.
    assert dl.due_date == date(2027, 1, 18)
    assert dl.estimated


def test_a_limit_into_a_year_with_an_official_operator_file_uses_it_and_is_not_flagged(tmp_path):
    (tmp_path / "2027.yaml").write_text("status: official\nholidays: [2027-01-01]\n")
    cal = WorkCalendar.load(tmp_path)
    dl = legal(DEC_21, cal).deadline(cal)
    # Jan 1 off: d9-13 Jan 4-8, d14-18 Jan 11-15, d19 Jan 18, d20 Tue Jan 19.
    assert dl.due_date == date(2027, 1, 19)
    assert not dl.estimated


def test_the_shipped_2027_draft_moves_the_deadline_but_keeps_it_flagged(cal):
    dl = legal(DEC_21, cal).deadline(cal)
    assert dl.due_date == date(2027, 1, 19)  # the draft has 元旦 Jan 1 off
    assert dl.estimated


def test_a_deadline_inside_a_known_year_is_not_flagged_even_if_a_draft_exists(cal):
    assert not legal(date(2026, 11, 2), cal).deadline(cal).estimated


# --- pauses -------------------------------------------------------------------------------------

MAR_2 = date(2026, 3, 2)  # Mon. No pause: d1-4 Mar 3-6, d5-9 Mar 9-13, … d20 Mon Mar 30.


def test_without_a_pause_twenty_days_from_march_2_2026_end_on_march_30(cal):
    assert due(legal(MAR_2, cal), cal) == date(2026, 3, 30)


def test_a_pause_from_p_to_r_leaves_out_the_working_days_after_p_up_to_and_including_r(cal):
    # P = Tue Mar 10 (d6, still counted), R = Fri Mar 13: Mar 11, 12, 13 are left out.
    clock = legal(MAR_2, cal, pauses=[Pause(date(2026, 3, 10), date(2026, 3, 13))])
    # Resumes Mon Mar 16 = d7; d7-11 Mar 16-20, d12-16 Mar 23-27, d17 Mar 30, d18 Mar 31,
    # d19 Apr 1, d20 Thu Apr 2 (Qingming Apr 4-6 is after).
    assert due(clock, cal) == date(2026, 4, 2)
    assert clock.used_days(cal, date(2026, 3, 13)) == 6
    assert clock.used_days(cal, date(2026, 3, 16)) == 7


def test_a_pause_over_a_weekend_leaves_out_only_the_working_days_in_it(cal):
    # P = Fri Mar 13, R = Mon Mar 16: only Mon Mar 16 is left out → one day later than Mar 30.
    clock = legal(MAR_2, cal, pauses=[Pause(date(2026, 3, 13), date(2026, 3, 16))])
    assert due(clock, cal) == date(2026, 3, 31)


def test_a_special_procedure_over_national_day_resumes_on_the_swapped_saturday(cal):
    # Accepted Mon 2026-09-28: d1 Sep 29, d2 Sep 30 = P. Site inspection ends R = Fri Oct 9;
    # left out: Oct 8, 9. Resumes d3 Sat Oct 10, d4 Oct 12, d5 Oct 13.
    pause = Pause(date(2026, 9, 30), date(2026, 10, 9), SPECIAL_PROCEDURE, "现场勘验")
    assert due(Clock(5, date(2026, 9, 28), (pause,)), cal) == date(2026, 10, 13)


def test_an_open_pause_gives_the_deadline_as_if_it_ended_today_and_flags_it(cal):
    clock = legal(MAR_2, cal, date(2026, 3, 12), pauses=[Pause(date(2026, 3, 10))])
    dl = clock.deadline(cal, today=date(2026, 3, 12))
    # Left out Mar 11, 12; d7 Mar 13, d8-12 Mar 16-20, d13-17 Mar 23-27, d18 Mar 30,
    # d19 Mar 31, d20 Apr 1.
    assert dl.due_date == date(2026, 4, 1) and dl.paused
    assert clock.used_days(cal, date(2026, 3, 12)) == 6  # frozen at P
    assert clock.status(cal, datetime(2026, 3, 12, 10, tzinfo=SHANGHAI)) == "paused"


def test_an_open_pause_without_today_is_refused(cal):
    with pytest.raises(ValueError, match="open pause"):
        Clock(20, MAR_2).with_pause(Pause(date(2026, 3, 10))).deadline(cal)


def test_a_pause_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Pause(date(2026, 3, 10), date(2026, 3, 9))


# --- extensions, joint cases, issuance ---------------------------------------------------------

def test_an_approved_extension_adds_ten_working_days_around_qingming(cal):
    # d20 Mar 30, d21-24 Mar 31-Apr 3, Apr 4-6 off, d25-28 Apr 7-10, d29 Apr 13, d30 Tue Apr 14.
    extended = legal(MAR_2, cal, extensions=[Extension("FGW", 10)])
    assert due(extended, cal) == date(2026, 4, 14)
    assert legal(MAR_2, cal).extended(10) == extended


def test_an_ordinary_extension_is_capped_at_ten_days(cal):
    assert legal(MAR_2, cal, extensions=[Extension("FGW", 10), Extension("FGW", 10)]).total_days == 30


def test_a_joint_case_has_45_days_and_15_more_with_approval(cal):
    # Accepted Mon 2026-04-20: d1-4 Apr 21-24, d5-8 Apr 27-30, May 1-5 off, d9-11 May 6-8,
    # d12 Sat May 9 (swapped), d13-17 May 11-15, d18-22 May 18-22, d23-27 May 25-29,
    # d28-32 Jun 1-5, d33-37 Jun 8-12, d38-41 Jun 15-18, Jun 19 off, d42-45 Jun 22-25.
    assert due(legal(date(2026, 4, 20), cal, item=JOINT), cal) == date(2026, 6, 25)
    # d46 Jun 26, d47-51 Jun 29-Jul 3, d52-56 Jul 6-10, d57-60 Jul 13-16.
    joint_ext = [Extension("ZJJ", 15, joint=True)]
    assert due(legal(date(2026, 4, 20), cal, item=JOINT, extensions=joint_ext), cal) == date(2026, 7, 16)
    # a department's own +10 does not move the joint case's legal limit
    assert legal(date(2026, 4, 20), cal, item=JOINT, extensions=[Extension("HBJ", 10)]).total_days == 45


def test_two_departments_make_a_joint_case_whatever_the_item_says(cal):
    two = {**ORDINARY, "departments": ["FGW", "HBJ"]}
    assert legal(date(2026, 4, 20), cal, item=two).total_days == 45


def test_issuance_is_due_ten_working_days_after_the_decision(cal):
    # Decided Mon 2026-09-28: d1 Sep 29, d2 Sep 30, Oct 1-7 off, d3 Oct 8, d4 Oct 9,
    # d5 Sat Oct 10, d6-10 Oct 12-16.
    assert due(issuance_clock(date(2026, 9, 28)), cal) == date(2026, 10, 16)


# --- used days, days left, status ---------------------------------------------------------------

def test_days_left_counts_down_to_zero_on_the_last_day_and_goes_negative(cal):
    clock = legal(MAR_2, cal)
    assert clock.days_left(cal, MAR_2) == 20
    assert clock.days_left(cal, date(2026, 3, 30)) == 0
    assert clock.days_left(cal, date(2026, 4, 1)) == -2


@pytest.mark.parametrize(
    "now, expected",
    [
        (datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), "on_track"),
        (datetime(2026, 3, 19, 17, tzinfo=SHANGHAI), "on_track"),  # d13 < 2/3 × 20
        (datetime(2026, 3, 20, 9, tzinfo=SHANGHAI), "due_soon"),  # d14 ≥ 13.3
        (datetime(2026, 3, 30, 9, tzinfo=SHANGHAI), "last_day"),
        (datetime(2026, 3, 30, 23, 59, 59, tzinfo=SHANGHAI), "last_day"),
        (datetime(2026, 3, 30, 16, 30, tzinfo=timezone.utc), "overdue"),  # 00:30 Mar 31 Shanghai
        (datetime(2026, 4, 4, 9, tzinfo=SHANGHAI), "overdue"),  # a holiday, still overdue
    ],
)
def test_status_through_the_life_of_a_case(cal, now, expected):
    assert legal(MAR_2, cal).status(cal, now) == expected


def test_due_soon_fraction_is_exact_for_two_thirds_of_thirty(cal):
    clock = Clock(30, MAR_2)  # 20 = 2/3 × 30: d20 is Mar 30 → due soon, d19 Mar 27 → on track
    assert clock.status(cal, datetime(2026, 3, 30, 9, tzinfo=SHANGHAI)) == "due_soon"
    assert clock.status(cal, datetime(2026, 3, 27, 9, tzinfo=SHANGHAI)) == "on_track"


def test_status_needs_an_aware_time(cal):
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(20, MAR_2).status(cal, datetime(2026, 3, 3, 9))


def test_an_immediate_case_is_on_its_last_day_when_accepted_and_overdue_the_next(cal):
    clock = Clock(0, date(2026, 3, 4))
    assert clock.status(cal, datetime(2026, 3, 4, 15, tzinfo=SHANGHAI)) == "last_day"
    assert clock.status(cal, datetime(2026, 3, 5, 9, tzinfo=SHANGHAI)) == "overdue"
