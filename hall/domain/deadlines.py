"""A case's deadlines, computed in one place (issue 13): the legal and promised limits, each
department's review budget, the hand-over step and the issuance clock.

Intake (the acceptance notice and the AcceptApplication answer), approval (the desk, the
worklist, the review view) and the SLA (the watched clocks) all call `case_deadlines`, so they
cannot disagree. Plain Python, no framework, no I/O; the counting itself is `clock.Clock`.

The rules (行政许可法 and local practice, see docs/clock.md):

- legal limit (法定时限): the item's own, or for a joint case (联办件: the case type, or more
  than one department, Art. 26) the joint 45 working days (Art. 42);
- promised limit (承诺时限): the item's own;
- extensions: in an ordinary case a granted extension extends the case, at most +10 (Art. 42,
  agency head); in a joint case only the joint extension (approved by the government head)
  extends the case, at most +15, while a department's own ordinary +10 moves only that
  department's review budget;
- pauses (补正, Art. 45 procedures) are recorded per department: every pause stops the case's
  clocks (legal, promised, hand-over), a department's review budget stops only for its own;
- the review budget of a department ends `review_margin` working days before the case's
  (extended) promised deadline, never earlier than the hand-over step, and moves with the
  case's extension once plus the department's own extension;
- issuance (Art. 44): 10 working days from the decision.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Mapping

from .clock import (ISSUANCE_LIMIT, JOINT_EXTENSION, JOINT_LIMIT, ORDINARY_EXTENSION, Calendar,
                    Clock, Deadline, Pause)

JOINT_CASE_TYPE = "联办件"
HANDOVER_DAYS = 1  # 材料交接: the case reaches its department within this many working days


@dataclass(frozen=True)
class Extension:
    """A granted extension. ``joint``: the joint case's +15 (government head), else an ordinary
    +10 of ``department`` (its chief representative / agency head)."""
    department: str
    days: int
    joint: bool = False


@dataclass(frozen=True)
class Due:
    """One deadline as of ``today``: its clock, when it runs out, whether that rests on a year
    the calendar does not know (``estimated``), whether a pause is open, the days left."""
    clock: Clock
    deadline: Deadline
    days_left: int

    @property
    def due_date(self) -> date:
        return self.deadline.due_date

    @property
    def due(self) -> datetime:
        return self.deadline.due

    @property
    def estimated(self) -> bool:
        return self.deadline.estimated

    @property
    def paused(self) -> bool:
        return self.deadline.paused

    @property
    def limit_days(self) -> int:
        """The limit in force: the base limit plus the extensions."""
        return self.clock.total_days

    def to_dict(self) -> dict:
        """The fields of hall.v1.Deadline (hall.infra.convert.deadline_to_pb)."""
        return {"limit_days": self.limit_days, "due_date": self.due_date.isoformat(),
                "days_left": self.days_left, "estimated": self.estimated, "paused": self.paused}


@dataclass(frozen=True)
class CaseDeadlines:
    joint: bool
    extension_days: int       # the case's extension in force (capped at the law's)
    extension_capped: bool    # more was granted than the law allows
    legal: Due
    promised: Due
    handover: Due
    reviews: dict = field(default_factory=dict)   # department -> Due (its review budget)
    issuance: Due | None = None                   # once decided


def is_joint(item: Mapping, departments: Iterable[str] = ()) -> bool:
    return item.get("case_type") == JOINT_CASE_TYPE or len(list(departments)) > 1


def case_deadlines(item: Mapping, accepted_on: date, calendar: Calendar, today: date, *,
                   departments: Iterable[str] | None = None,
                   pauses: Mapping[str, Iterable[Pause]] | None = None,
                   extensions: Iterable[Extension] = (),
                   decided_on: date | None = None,
                   handover_days: int = HANDOVER_DAYS, review_margin: int = 0,
                   issuance_days: int = ISSUANCE_LIMIT) -> CaseDeadlines:
    """Every deadline of a case as of ``today``.

    ``item``: the item as the case carries it (``promised_limit``, ``legal_limit``,
    ``case_type``, ``departments``); ``departments``: those the case was routed to (default: the
    item's); ``pauses``: department -> its pauses; ``extensions``: the granted ones;
    ``decided_on``: the day the case was decided, for the issuance clock. ``review_margin``:
    working days between the end of the departments' review and the promised deadline (the SLA's
    policy; 0 gives each department the case's promised deadline)."""
    departments = list(item.get("departments", []) if departments is None else departments)
    joint = is_joint(item, departments)
    pauses = {d: tuple(ps) for d, ps in (pauses or {}).items()}
    every_pause = tuple(p for ps in pauses.values() for p in ps)
    extensions = list(extensions)
    ext, capped = _case_extension(extensions, joint)
    promised_limit = int(item.get("promised_limit", 0))
    legal_limit = JOINT_LIMIT if joint else int(item.get("legal_limit", 0))

    def due(clock: Clock) -> Due:
        return Due(clock, clock.deadline(calendar, today), clock.days_left(calendar, today))

    review_limit = min(promised_limit, max(promised_limit - review_margin, handover_days))
    reviews = {d: due(Clock(review_limit, accepted_on, pauses.get(d, ()),
                            ext + _own_extension(extensions, joint, d)))
               for d in departments}
    return CaseDeadlines(
        joint=joint, extension_days=ext, extension_capped=capped,
        legal=due(Clock(legal_limit, accepted_on, every_pause, ext)),
        promised=due(Clock(promised_limit, accepted_on, every_pause, ext)),
        handover=due(Clock(min(handover_days, promised_limit + ext), accepted_on, every_pause)),
        reviews=reviews,
        issuance=due(Clock(issuance_days, decided_on)) if decided_on else None)


def _case_extension(extensions: list[Extension], joint: bool) -> tuple[int, bool]:
    """Days the whole case is extended by, capped at the law's: +10 (Art. 42), or for a joint
    case +15, counting only the joint extension."""
    if joint:
        granted = sum(x.days for x in extensions if x.joint)
        return min(granted, JOINT_EXTENSION), granted > JOINT_EXTENSION
    granted = sum(x.days for x in extensions)
    return min(granted, ORDINARY_EXTENSION), granted > ORDINARY_EXTENSION


def _own_extension(extensions: list[Extension], joint: bool, department: str) -> int:
    """A department's own ordinary extension in a joint case (in an ordinary case the
    department's extension is the case's, already counted once)."""
    if not joint:
        return 0
    return min(sum(x.days for x in extensions if not x.joint and x.department == department),
               ORDINARY_EXTENSION)
