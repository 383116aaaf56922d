"""监督考核 figures by department, window, staff, site and item, and their CSV export."""
from __future__ import annotations

import csv
import io

import pytest

from hall.domain import statistics
from hall.domain.errors import InvalidArgument


def rec(dept=("FGW",), window="A01", staff="c1", site="LX00", item="XK-1", decided=True, on_time=True,
        legal=True, days=5, late=False, supplements=0, visits=1):
    return {"departments": list(dept), "window": window, "staff": staff, "site": site, "item_code": item,
            "decided_on": "2026-03-10" if decided else None, "on_time_promised": on_time if decided else None,
            "on_time_legal": legal if decided else None, "working_days": days if decided else None,
            "late_promised": late, "supplements": supplements, "visits": visits}


def rating(level, **kw):
    return {"level": level, "department": kw.get("department", "FGW"), "window": kw.get("window", "A01"),
            "staff": kw.get("staff", "c1"), "site": "LX00", "item_code": "XK-1"}


RECORDS = [rec(), rec(days=9, on_time=False, late=True, supplements=1, visits=2),
           rec(dept=("FGW", "HBJ"), window="A02", staff="c2", decided=False, visits=1),
           rec(dept=("HBJ",), window="A02", staff="c2", days=3)]
RATINGS = [rating(5), rating(2), rating(4, department="HBJ", window="A02", staff="c2")]


def test_by_department_a_joint_case_counts_for_each_of_its_departments():
    rows = {r["key"]: r for r in statistics.summarize(RECORDS, RATINGS, "department")}
    assert rows["FGW"]["accepted"] == 3 and rows["HBJ"]["accepted"] == 2
    fgw = rows["FGW"]
    assert fgw["decided"] == 2 and fgw["on_time_promised_rate"] == 0.5 and fgw["on_time_legal_rate"] == 1.0
    assert fgw["avg_working_days"] == 7.0 and fgw["overdue"] == 1 and fgw["supplements"] == 1
    assert fgw["visits_per_case"] == round(4 / 3, 4) and fgw["one_visit_rate"] == round(2 / 3, 4)
    assert (fgw["ratings"], fgw["avg_rating"], fgw["satisfied_rate"], fgw["bad_ratings"]) == (2, 3.5, 0.5, 1)


@pytest.mark.parametrize("by, keys", [("window", ["A01", "A02"]), ("staff", ["c1", "c2"]),
                                      ("site", ["LX00"]), ("item", ["XK-1"])])
def test_every_dimension_groups_cases_and_ratings_alike(by, keys):
    rows = statistics.summarize(RECORDS, RATINGS, by)
    assert [r["key"] for r in rows] == keys
    assert sum(r["ratings"] for r in rows) == 3


def test_one_key_alone_and_an_empty_range_give_what_they_should():
    assert [r["key"] for r in statistics.summarize(RECORDS, RATINGS, "department", only="HBJ")] == ["HBJ"]
    assert statistics.summarize([], [], "site") == []


def test_the_csv_export_has_a_header_and_one_line_per_row_and_defuses_formulas():
    rows = statistics.summarize(RECORDS + [rec(window="=cmd()")], RATINGS, "window")
    text = statistics.to_csv(rows, "window")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][:3] == ["window", "accepted", "decided"] and len(table) == 1 + len(rows)
    assert ["'=cmd()"] == [r[0] for r in table if "cmd" in r[0]]


@pytest.mark.parametrize("start, end, words", [("2026-13-01", "2026-12-01", "yyyy-mm-dd"),
                                               ("2026-05-01", "2026-04-01", "after it ends"),
                                               ("2000-01-01", "2026-01-01", "ten years")])
def test_a_bad_range_or_dimension_is_refused_clearly(start, end, words):
    with pytest.raises(InvalidArgument) as err:
        statistics.date_range(start, end)
    assert words in str(err.value)
    with pytest.raises(InvalidArgument):
        statistics.dimension("colour")
