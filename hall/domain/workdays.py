"""Working days by China's official calendar.

Weekends and statutory holidays are off; the officially swapped working weekends (调休) are on.
Years come from, in order of precedence: an operator file ``reference/calendar/<year>.yaml``,
the chinese_calendar package, or nothing (weekends alone, and the year is not ``known``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

import chinese_calendar
import yaml

DEFAULT_CALENDAR_DIR = Path(__file__).resolve().parents[2] / "reference" / "calendar"
OFFICIAL, DRAFT = "official", "draft"
_FILE_KEYS = {"year", "status", "source", "holidays", "workdays"}


class CalendarDataError(ValueError):
    """An operator calendar file is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class YearRule:
    """One year's exceptions to the Monday-to-Friday week, and where they come from.

    ``source`` is one of "operator:official", "operator:draft", "chinese_calendar",
    "weekends-only". Only official data makes the year ``known``.
    """

    year: int
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    source: str = "weekends-only"

    @property
    def known(self) -> bool:
        return self.source in ("chinese_calendar", "operator:" + OFFICIAL)

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5


class WorkCalendar:
    """Answers "is this a working day?" and counts working days, across years."""

    def __init__(self, operator_rules: Iterable[YearRule] = ()):
        self._operator = {r.year: r for r in operator_rules}
        self._rules: dict[int, YearRule] = {}

    @classmethod
    def load(cls, calendar_dir: str | Path | None = None) -> "WorkCalendar":
        """Read every ``<year>.yaml`` in the directory (default: the repo's reference/calendar).

        A missing directory means no operator data. An invalid file raises CalendarDataError.
        """
        folder = Path(calendar_dir) if calendar_dir is not None else DEFAULT_CALENDAR_DIR
        if not folder.is_dir():
            return cls()
        rules = []
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml"):
                rules.append(load_year_file(path))
        return cls(rules)

    def rule(self, year: int) -> YearRule:
        """The rule in force for a year (operator file, else package, else weekends only)."""
        if year not in self._rules:
            self._rules[year] = self._operator.get(year) or _package_rule(year) or YearRule(year)
        return self._rules[year]

    def known(self, year: int) -> bool:
        """True when official data covers the year; False means results are estimates."""
        return self.rule(year).known

    def source(self, year: int) -> str:
        return self.rule(year).source

    def is_working_day(self, d: date) -> bool:
        return self.rule(d.year).is_working_day(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself when n == 0)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        d = start
        while n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b; negative when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


def _package_rule(year: int) -> YearRule | None:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:  # the package covers a fixed range of years (2004-2026 in 1.11)
        return None
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    days = [d for d in days if d.year == year]
    off = frozenset(d for d in days if d.weekday() < 5 and not chinese_calendar.is_workday(d))
    on = frozenset(d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d))
    return YearRule(year, off, on, "chinese_calendar")


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so a bad date gets our error, not PyYAML's."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_year_file(path: Path) -> YearRule:
    """Parse and validate one operator calendar file."""
    def fail(msg: str) -> CalendarDataError:
        return CalendarDataError(f"{path}: {msg}")

    match = re.fullmatch(r"(\d{4})\.yaml", path.name)
    if not match:
        raise fail("calendar files must be named <year>.yaml, e.g. 2027.yaml")
    year = int(match.group(1))
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_PlainLoader)
    except yaml.YAMLError as exc:
        raise fail(f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise fail("expected a mapping with keys status, holidays, workdays")
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(map(str, unknown))}; allowed: {sorted(_FILE_KEYS)}")
    if "year" in data and str(data["year"]) != str(year):
        raise fail(f"year: {data['year']!r} does not match the file name")
    if data.get("status") not in (OFFICIAL, DRAFT):
        raise fail(f"status must be '{OFFICIAL}' or '{DRAFT}', got {data.get('status')!r}")
    if "holidays" not in data:
        raise fail("holidays: missing (use [] for none)")
    holidays = _dates(data.get("holidays"), "holidays", year, fail)
    workdays = _dates(data.get("workdays"), "workdays", year, fail)
    both = sorted(holidays & workdays)
    if both:
        raise fail(f"dates both holiday and workday: {', '.join(map(str, both))}")
    return YearRule(year, holidays, workdays, "operator:" + data["status"])


def _dates(raw: object, key: str, year: int, fail) -> frozenset[date]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise fail(f"{key}: expected a list of dates YYYY-MM-DD")
    out = set()
    for i, item in enumerate(raw):
        text = str(item)
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            d = date.fromisoformat(text)
        except ValueError:
            raise fail(f"{key}[{i}]: {text!r} is not a valid date YYYY-MM-DD") from None
        if d.year != year:
            raise fail(f"{key}[{i}]: {d} is outside the file's year {year}")
        out.add(d)
    return frozenset(out)
