"""Operator calendar files: loading and validation errors that name the file."""
from datetime import date

import pytest

from hall.domain.workdays import CalendarDataError, WorkCalendar

GOOD = """\
year: 2027
status: official
source: test
holidays:
  - 2027-01-01
  - "2027-02-08"
workdays: [2027-02-20]
"""


def write(tmp_path, text, name="2027.yaml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_valid_official_file_is_used_and_makes_the_year_known(tmp_path):
    cal = WorkCalendar.load(write(tmp_path, GOOD))
    assert cal.known(2027) and cal.source(2027) == "operator:official"
    assert not cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 2, 8))  # quoted dates are accepted too
    assert cal.is_working_day(date(2027, 2, 20))  # a Saturday made a working day


def test_a_missing_calendar_directory_means_no_operator_data(tmp_path):
    cal = WorkCalendar.load(tmp_path / "absent")
    assert not cal.known(2027)


def test_files_that_are_not_yaml_are_ignored(tmp_path):
    (tmp_path / "README.md").write_text("notes")
    assert WorkCalendar.load(tmp_path).source(2027) == "weekends-only"


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("2027-01-01", "2026-12-31"), "holidays[0]: 2026-12-31 is outside the file's year 2027"),
        (GOOD.replace("[2027-02-20]", "[2027-01-01]"), "both holiday and workday: 2027-01-01"),
        (GOOD.replace("2027-01-01", "2027-13-01"), "holidays[0]: '2027-13-01' is not a valid date"),
        (GOOD.replace("2027-01-01", "2027-02-30"), "holidays[0]: '2027-02-30' is not a valid date"),
        (GOOD.replace("2027-01-01", "1 Jan 2027"), "holidays[0]: '1 Jan 2027' is not a valid date"),
        (GOOD.replace("status: official", "status: final"), "status must be 'official' or 'draft'"),
        (GOOD.replace("status: official\n", ""), "status must be"),
        (GOOD.replace("year: 2027", "year: 2028"), "does not match the file name"),
        (GOOD.replace("workdays:", "workday:"), "unknown keys ['workday']"),
        (GOOD.replace("[2027-02-20]", "2027-02-20"), "workdays: expected a list"),
        ("status: official\nworkdays: []\n", "holidays: missing"),
        ("- 2027-01-01\n", "expected a mapping"),
        ("holidays: [2027-01-01\n", "not valid YAML"),
    ],
)
def test_an_invalid_file_is_rejected_at_load_with_an_error_naming_the_file(tmp_path, text, message):
    write(tmp_path, text)
    with pytest.raises(CalendarDataError) as err:
        WorkCalendar.load(tmp_path)
    assert str(tmp_path / "2027.yaml") in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize("name", ["2027.yml", "calendar-2027.yaml"])
def test_a_yaml_file_not_named_after_its_year_is_rejected(tmp_path, name):
    write(tmp_path, GOOD, name)
    with pytest.raises(CalendarDataError, match="must be named <year>.yaml"):
        WorkCalendar.load(tmp_path)


def test_the_shipped_reference_files_are_valid():
    cal = WorkCalendar.load()
    assert cal.source(2027) in ("operator:draft", "operator:official")
