"""The SLA service's store, as the port its handlers work through (跟踪督办): every case's
timeline (one entry per event seen), one clock record per case, supervision notices, ratings
with their follow-ups. The MongoDB adapter is services/sla/repository.py; the in-memory fake
of the unit tests subclasses the same class (tests/unit/test_sla_repository_contract.py)."""
from __future__ import annotations

import abc
from datetime import date, datetime

from .events import Event


class SlaStore(abc.ABC):
    """Writes are keyed by event id, case number, notice id or rating id, so nothing is done
    twice; an event written here (`own`, a notice's) is handed to the outbox at once."""

    # the timeline
    @abc.abstractmethod
    def record(self, event: Event, service: str, own: bool = False) -> bool:
        """Add an event to its case's timeline once (False if it was there); `own` events are
        the SLA's and are published."""

    @abc.abstractmethod
    def events(self, case_no: str) -> list[dict]:
        """Every event of a case seen so far (as dicts, with `id`)."""

    @abc.abstractmethod
    def count_by_status(self) -> dict:
        """Cases now in each status (hall.domain.timeline.STEP)."""

    # clock records
    @abc.abstractmethod
    def refresh(self, case_no: str, events_of, calendar, policy, today: date) -> tuple[dict | None, dict | None]:
        """Rebuild a case's clock record from its timeline: (before, after); after is None
        while the acceptance has not been seen."""

    @abc.abstractmethod
    def refresh_many(self, case_nos: list[str], calendar, policy, today: date) -> dict:
        """`refresh` for several cases at once: {case_no: (before, after)}."""

    @abc.abstractmethod
    def clock_record(self, case_no: str) -> dict | None:
        """A case's clock record, if it has one."""

    @abc.abstractmethod
    def due_for_check(self, today: date, limit: int) -> list[dict]:
        """Records whose next check is today or earlier."""

    @abc.abstractmethod
    def save_checked(self, pairs: list[tuple[dict, dict]]) -> int:
        """Save (old, new) records the scan restated, unless rewritten meanwhile; how many."""

    @abc.abstractmethod
    def open_records(self) -> list[dict]:
        """Open records: departments, site, state, paused."""

    @abc.abstractmethod
    def at_risk(self, department: str, states: list[str], limit: int) -> list[dict]:
        """Open records in `states` (of a department, or all), earliest due date first."""

    @abc.abstractmethod
    def records_between(self, start: date, end: date) -> list[dict]:
        """Records of cases accepted in the inclusive range."""

    # notices
    @abc.abstractmethod
    def add_notices(self, raised: list[tuple[dict, dict]]) -> int:
        """Store new (notice, event) pairs, a notice already there kept as it is; hand the new
        events to the outbox. How many were new."""

    @abc.abstractmethod
    def notices_to_escalate(self, now: datetime, limit: int) -> list[dict]:
        """Notices whose time to be acknowledged ran out by `now`."""

    @abc.abstractmethod
    def change_notice(self, notice: dict, changes: dict, event: dict | None = None) -> None:
        """Apply changes to a notice still in the status read (AlreadyDone otherwise), with
        the event they cause."""

    @abc.abstractmethod
    def notice(self, notice_id: str) -> dict:
        """One notice (NotFound if there is none)."""

    @abc.abstractmethod
    def notices(self, department: str = "", status: str = "", case_no: str = "", limit: int = 100) -> list[dict]:
        """Notices matching the filters given, newest first."""

    # ratings and follow-ups
    @abc.abstractmethod
    def add_rating(self, rating: dict) -> None:
        """Store a rating once (AlreadyDone for a second one of the same visit or case)."""

    @abc.abstractmethod
    def ratings_between(self, start: date, end: date) -> list[dict]:
        """Ratings given in the inclusive range."""

    @abc.abstractmethod
    def follow_ups(self, department: str, status: str, limit: int) -> list[dict]:
        """Follow-ups of bad ratings (of a department, in a status, or all)."""

    @abc.abstractmethod
    def follow_up(self, follow_up_id: str) -> dict:
        """One follow-up (NotFound if there is none)."""

    @abc.abstractmethod
    def resolve_follow_up(self, follow: dict, changes: dict) -> dict:
        """Resolve an open follow-up (AlreadyDone if it was); the follow-up as it is now."""


def same(old: dict, new: dict) -> bool:
    """A rebuilt record that changes nothing of the stored one (no rewrite needed)."""
    return all(old.get(k) == v for k, v in new.items())
