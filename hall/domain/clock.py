"""The case clock: deadlines in working days, with pauses and extensions. Pure, no I/O.

Convention (issue 7, local practice): day 1 is the first working day AFTER the day of
acceptance; the deadline is 23:59:59 Asia/Shanghai of the N-th counted working day. A pause
that starts on day P and ends on day R leaves out the working days d with P < d <= R; counting
resumes on the first working day after R. Extensions add working days. A limit of 0 (即办件) is
due at the end of the day of acceptance.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    SHANGHAI = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # no tz database on the host; China is UTC+8 with no DST since 1991
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

END_OF_DAY = time(23, 59, 59)
ORDINARY_EXTENSION = 10  # Art. 42: +10 with the agency head's approval (the limit is the item's)
JOINT_LIMIT, JOINT_EXTENSION = 45, 15  # Art. 42 for joint/unified handling (Art. 26), 联办件
# Which limit and extension apply to a case: hall.domain.deadlines.case_deadlines, the one place.
ISSUANCE_LIMIT = 10  # Art. 44: issue and deliver within 10 working days of the decision

SUPPLEMENT = "supplement"  # 补正: waiting for the applicant's corrected materials
SPECIAL_PROCEDURE = "special_procedure"  # Art. 45: 听证、检验、检测、检疫、鉴定、专家评审、现场勘验…
STATUSES = ("on_track", "due_soon", "last_day", "overdue", "paused")


class Calendar(Protocol):
    def is_working_day(self, d: date) -> bool: ...
    def known(self, year: int) -> bool: ...


@dataclass(frozen=True)
class Pause:
    """Clock stopped from ``started_on`` (still counted) to ``ended_on`` (not counted); open if None."""

    started_on: date
    ended_on: date | None = None
    kind: str = SUPPLEMENT
    note: str = ""

    def __post_init__(self):
        if self.kind not in (SUPPLEMENT, SPECIAL_PROCEDURE):
            raise ValueError(f"unknown pause kind {self.kind!r}")
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError(f"pause ends {self.ended_on} before it starts {self.started_on}")

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def resumes_after(self, today: date | None) -> date:
        """The last left-out day R; an open pause is taken to end today."""
        if self.ended_on is not None:
            return self.ended_on
        if today is None:
            raise ValueError("an open pause needs `today` to estimate the deadline")
        return max(today, self.started_on)


@dataclass(frozen=True)
class Deadline:
    """When a clock runs out. ``estimated``: a year without official calendar data was involved.
    ``paused``: a pause is open, so ``due`` assumes it ends today and will move."""

    due: datetime
    due_date: date
    estimated: bool
    paused: bool


@dataclass(frozen=True)
class Clock:
    """A time limit of ``limit_days`` working days running from ``accepted_on``."""

    limit_days: int
    accepted_on: date
    pauses: tuple[Pause, ...] = ()
    extension_days: int = 0

    def __post_init__(self):
        if self.limit_days < 0 or self.extension_days < 0:
            raise ValueError("limit_days and extension_days must be >= 0")
        object.__setattr__(self, "pauses", tuple(self.pauses))

    @property
    def total_days(self) -> int:
        return self.limit_days + self.extension_days

    def with_pause(self, pause: Pause) -> Clock:
        return replace(self, pauses=self.pauses + (pause,))

    def extended(self, days: int) -> Clock:
        return replace(self, extension_days=self.extension_days + days)

    def _counts(self, cal: Calendar, d: date, spans: list[tuple[date, date]]) -> bool:
        return cal.is_working_day(d) and not any(p < d <= r for p, r in spans)

    def _spans(self, today: date | None) -> list[tuple[date, date]]:
        return [(p.started_on, p.resumes_after(today)) for p in self.pauses]

    def deadline(self, cal: Calendar, today: date | None = None) -> Deadline:
        """The deadline; ``today`` is needed only while a pause is open."""
        spans = self._spans(today)
        d, left = self.accepted_on, self.total_days
        while left:
            d += timedelta(days=1)
            if self._counts(cal, d, spans):
                left -= 1
        estimated = any(not cal.known(y) for y in range(self.accepted_on.year, d.year + 1))
        paused = any(p.is_open for p in self.pauses)
        return Deadline(datetime.combine(d, END_OF_DAY, SHANGHAI), d, estimated, paused)

    def used_days(self, cal: Calendar, today: date) -> int:
        """Counted working days from day 1 up to and including ``today`` (pauses left out)."""
        spans = self._spans(today)
        days = (today - self.accepted_on).days
        return sum(self._counts(cal, self.accepted_on + timedelta(i), spans) for i in range(1, days + 1))

    def days_left(self, cal: Calendar, today: date) -> int:
        """Working days still to run after today; 0 on the last day, negative when overdue."""
        return self.total_days - self.used_days(cal, today)

    def status(self, cal: Calendar, now: datetime, due_soon_fraction: float = 2 / 3) -> str:
        """One of STATUSES at the aware instant ``now`` (read in Asia/Shanghai)."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if not 0 < due_soon_fraction <= 1:
            raise ValueError("due_soon_fraction must be in (0, 1]")
        today = now.astimezone(SHANGHAI).date()
        due = self.deadline(cal, today)
        if due.paused:
            return "paused"
        if today > due.due_date:
            return "overdue"
        if today == due.due_date:
            return "last_day"
        # Fraction so that 2/3 of 30 days is exactly 20, not 19.999...
        threshold = Fraction(due_soon_fraction).limit_denominator(1000) * self.total_days
        return "due_soon" if self.used_days(cal, today) >= threshold else "on_track"


def issuance_clock(decided_on: date) -> Clock:
    """Art. 44: the licence is issued and delivered within 10 working days of the decision."""
    return Clock(ISSUANCE_LIMIT, decided_on)
