"""The working-day calendar is reference data like the rest: part of the catalogue version,
carried in its snapshot, so every process counts days by the same calendar the catalogue's
owner loaded."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from hall.catalogue import CatalogueError, DEFAULT_ROOT, from_snapshot, load_catalogue, to_snapshot


def test_the_operators_years_come_with_the_catalogue_and_its_snapshot():
    cat = load_catalogue()
    assert [r.year for r in cat.calendar_rules] == [2027]
    assert not cat.calendar.is_working_day(date(2027, 2, 8))  # 春节 in the operators' draft
    again = from_snapshot(to_snapshot(cat))
    assert again.calendar_rules == cat.calendar_rules and not again.calendar.is_working_day(date(2027, 2, 8))


def test_a_calendar_change_is_a_new_catalogue_version(tmp_path):
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root)
    before = load_catalogue(root).version
    path = root / "calendar" / "2027.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - 2027-01-01", "  - 2027-01-04"), encoding="utf-8")
    changed = load_catalogue(root)
    assert changed.version != before and not changed.calendar.is_working_day(date(2027, 1, 4))


def test_an_invalid_calendar_file_is_refused_naming_it(tmp_path):
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root)
    (root / "calendar" / "2028.yaml").write_text("year: 2028\nstatus: maybe\nholidays: []\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="calendar/2028.yaml"):
        load_catalogue(root)
