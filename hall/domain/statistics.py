"""监督考核: performance figures by department, window, staff member, site or item over a date
range of acceptance, from the SLA's per-case records and the ratings. Pure; CSV for export.

最多跑一次: a case's visits are the applicant's trips from application to decision (the
acceptance at a window, unless online, and each supplement brought in); the rate is the share
of cases with at most one.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

from .errors import InvalidArgument

DIMENSIONS = {
    "department": lambda r: r.get("departments") or [""],  # a joint case counts for each
    "window": lambda r: [r.get("window", "")],
    "staff": lambda r: [r.get("staff", "")],
    "site": lambda r: [r.get("site", "")],
    "item": lambda r: [r.get("item_code", "")],
}
RATING_KEY = {"department": "department", "window": "window", "staff": "staff", "site": "site",
              "item": "item_code"}
COLUMNS = ("key", "accepted", "decided", "on_time_promised_rate", "on_time_legal_rate",
           "avg_working_days", "overdue", "supplements", "visits_per_case", "one_visit_rate",
           "ratings", "avg_rating", "satisfied_rate", "bad_ratings")
MAX_SPAN_DAYS = 3700


def date_range(start: str, end: str) -> tuple[date, date]:
    """The inclusive range asked for, checked."""
    try:
        a, b = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise InvalidArgument("from and to are dates written yyyy-mm-dd") from None
    if a > b:
        raise InvalidArgument(f"the range starts {a} after it ends {b}")
    if (b - a).days > MAX_SPAN_DAYS:
        raise InvalidArgument("a range covers at most ten years")
    return a, b


def dimension(name: str) -> str:
    if name not in DIMENSIONS:
        raise InvalidArgument(f"group by one of {', '.join(DIMENSIONS)}, not {name!r}")
    return name


def summarize(records: list[dict], ratings: list[dict], by: str, only: str = "") -> list[dict]:
    """One row per key of the dimension (or only the key `only`), sorted by key."""
    groups: dict[str, dict] = {}

    def row(key):
        return groups.setdefault(key, {"key": key, "cases": [], "ratings": []})
    for r in records:
        for key in DIMENSIONS[by](r):
            if not only or key == only:
                row(key)["cases"].append(r)
    for g in ratings:
        key = g.get(RATING_KEY[by], "")
        if not only or key == only:
            row(key)["ratings"].append(g)
    return [_figures(g) for _, g in sorted(groups.items())]


def _figures(g: dict) -> dict:
    cases, ratings = g["cases"], g["ratings"]
    decided = [c for c in cases if c.get("decided_on")]
    n = len(cases)
    return {
        "key": g["key"], "accepted": n, "decided": len(decided),
        "on_time_promised_rate": _rate(sum(bool(c.get("on_time_promised")) for c in decided), len(decided)),
        "on_time_legal_rate": _rate(sum(bool(c.get("on_time_legal")) for c in decided), len(decided)),
        "avg_working_days": _rate(sum(c.get("working_days") or 0 for c in decided), len(decided)),
        "overdue": sum(bool(c.get("late_promised")) for c in cases),
        "supplements": sum(c.get("supplements", 0) for c in cases),
        "visits_per_case": _rate(sum(c.get("visits", 0) for c in cases), n),
        "one_visit_rate": _rate(sum(c.get("visits", 0) <= 1 for c in cases), n),
        "ratings": len(ratings),
        "avg_rating": _rate(sum(r["level"] for r in ratings), len(ratings)),
        "satisfied_rate": _rate(sum(r["level"] >= 4 for r in ratings), len(ratings)),
        "bad_ratings": sum(r["level"] <= 2 for r in ratings),
    }


def _rate(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def to_csv(rows: list[dict], by: str) -> str:
    """The rows as CSV with a header naming the dimension (UTF-8 with BOM, for spreadsheets)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([by, *COLUMNS[1:]])
    for r in rows:
        w.writerow([_safe(r["key"]), *(r[c] for c in COLUMNS[1:])])
    return "\ufeff" + out.getvalue()


def _safe(cell: str) -> str:
    # a key starting with = + - @ would run as a formula in a spreadsheet
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


CLOCK_COUNTS = ("open", "due_soon", "overdue", "paused")


def clock_counts(open_records) -> dict[str, Counter]:
    """Open cases by (department, site): all, due soon (or on their last day), overdue, paused;
    a joint case counts for each of its departments."""
    counts = {name: Counter() for name in CLOCK_COUNTS}
    for r in open_records:
        for dept in r.get("departments") or [""]:
            key = (dept, r.get("site", ""))
            counts["open"][key] += 1
            counts["due_soon"][key] += r.get("state") in ("due_soon", "last_day")
            counts["overdue"][key] += r.get("state") == "overdue"
            counts["paused"][key] += bool(r.get("paused"))
    return counts
