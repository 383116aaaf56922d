"""WorkCalendar: which days are working days, and counting them.

Expected dates are checked by hand against the State Council notices (国务院办公厅关于20xx年
部分节假日安排的通知) for 2025 and 2026, as quoted in the comments.
"""
from datetime import date

import pytest

from hall.domain.workdays import WorkCalendar, YearRule


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.load()


# 2025 notice: 国庆节、中秋节 10月1日至8日放假调休，共8天；9月28日（周日）、10月11日（周六）上班。
def test_national_day_2025_week_is_off_and_its_swapped_sunday_and_saturday_are_on(cal):
    assert all(not cal.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert cal.is_working_day(date(2025, 9, 28))  # Sunday, swapped
    assert cal.is_working_day(date(2025, 10, 11))  # Saturday, swapped
    assert not cal.is_working_day(date(2025, 10, 12))  # ordinary Sunday


# 2026 notice: 春节 2月15日（周日）至23日（周一）放假调休，共9天；2月14日（周六）、2月28日（周六）上班。
def test_spring_festival_2026_is_off_and_both_swapped_saturdays_are_on(cal):
    assert all(not cal.is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert cal.is_working_day(date(2026, 2, 14))
    assert cal.is_working_day(date(2026, 2, 28))
    assert cal.is_working_day(date(2026, 2, 24))  # first day back, Tuesday


def test_the_package_is_used_and_trusted_for_years_it_covers(cal):
    assert cal.source(2026) == "chinese_calendar"
    assert cal.known(2025) and cal.known(2026)


def test_a_year_without_any_data_counts_weekends_only_and_is_not_known():
    cal = WorkCalendar()  # no operator files; chinese_calendar 1.11 stops at 2026
    assert not cal.known(2030)
    assert cal.source(2030) == "weekends-only"
    assert cal.is_working_day(date(2030, 1, 1))  # a Tuesday; New Year is unknown there
    assert not cal.is_working_day(date(2030, 1, 5))  # Saturday


def test_a_year_before_the_package_range_does_not_crash():
    cal = WorkCalendar()
    assert not cal.known(2003)
    assert cal.is_working_day(date(2003, 1, 6))


def test_operator_data_for_a_year_overrides_the_package():
    # An operator file for 2026 that (hypothetically) makes 2026-03-02 a holiday.
    cal = WorkCalendar([YearRule(2026, frozenset({date(2026, 3, 2)}), frozenset(), "operator:official")])
    assert not cal.is_working_day(date(2026, 3, 2))
    # ...and its silence wins too: Spring Festival is not in that file, so it is ordinary weekdays.
    assert cal.is_working_day(date(2026, 2, 16))
    assert cal.source(2026) == "operator:official" and cal.known(2026)


def test_the_shipped_2027_file_is_a_draft_used_but_not_known(cal):
    assert cal.source(2027) == "operator:draft"
    assert not cal.known(2027)
    assert not cal.is_working_day(date(2027, 1, 1))  # 元旦, a Friday


def test_add_working_days_is_the_nth_working_day_after_start(cal):
    # Friday 2026-03-06 + 1 → Monday 2026-03-09.
    assert cal.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    # Friday 2026-09-18 + 1 → Sunday 2026-09-20, the swapped working day before National Day.
    assert cal.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert cal.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_add_working_days_rejects_a_negative_count(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 6), -1)


def test_working_days_between_counts_after_a_up_to_and_including_b(cal):
    # 2026-09-30 → 2026-10-12: Oct 1-7 off, Oct 8, 9, 10 (Sat, swapped), 12 → 4.
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert cal.working_days_between(date(2026, 10, 12), date(2026, 9, 30)) == -4
    assert cal.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
