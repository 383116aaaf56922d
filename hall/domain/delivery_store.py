"""The port of delivery's store: one issuance per decided case (with the notices decided about
it), the refusals at the issuance desk, and the notifier the notices go out through.

What every store does alike lives here: a write hands its events to the outbox at once and
then sends the fresh notices; a redelivered decision resends what a crash cut short. The
adapters (MongoDB in services/delivery/repository.py, the in-memory fake of the unit tests)
only keep documents."""
from __future__ import annotations

import abc
from datetime import datetime, timedelta

from .errors import DomainError
from .identity import Actor
from .issuance import Issuance
from .notification import Notice, Notifier
from .ports import EventOutbox

STATUSES = ("forwarding", "ready", "shipping", "issued", "archived")


class IssuanceRepository(abc.ABC):
    def __init__(self, outbox: EventOutbox, notifier: Notifier):
        self.outbox, self.notifier = outbox, notifier

    def prepare(self, issuance: Issuance, events: list[dict]) -> bool:
        """Store a prepared result with its events and notices, once per case; then notify."""
        if not self._insert(issuance, events):
            self.resend(issuance.case_no)  # a redelivered decision: finish what a crash cut short
            return False
        self.outbox.handed(events)
        self._send(issuance)
        return True

    def save(self, issuance: Issuance, events: list[dict]) -> None:
        """Write a changed issuance if nobody changed it since it was read (StepOutOfOrder
        otherwise), its events handed to the outbox; then notify."""
        self._update(issuance, events, f"the result of case {issuance.case_no} changed meanwhile; try again")
        self._send(issuance)

    def resend(self, case_no: str) -> None:
        for n in self._notices_of(case_no):
            self.notifier.send(Notice.from_dict(n))

    def resend_recent(self, window: timedelta, now: datetime) -> int:
        """Send the notices of results changed within `window` that a crash kept from being sent."""
        notices = self._notices_since(now - window)
        done = self.notifier.sent([n["id"] for n in notices]) if notices else set()
        missing = [n for n in notices if n["id"] not in done]
        for n in missing:
            self.notifier.send(Notice.from_dict(n))
        return len(missing)

    def notices_sent(self, issuance: Issuance) -> int:
        """How many of the notices decided about this result went out."""
        return len(self.notifier.sent([n["id"] for n in issuance.notices])) if issuance.notices else 0

    def _send(self, issuance: Issuance) -> None:
        for notice in issuance.fresh:
            self.notifier.send(notice)
        issuance.fresh.clear()

    @abc.abstractmethod
    def _insert(self, issuance: Issuance, events: list[dict]) -> bool:
        """Store a new issuance with its events; False if the case has one already."""

    @abc.abstractmethod
    def _update(self, issuance: Issuance, events: list[dict], conflict: str) -> None:
        """Replace the issuance at its `rev` with its events, hand them to the outbox and bump
        `issuance.rev` (hall.infra.outbox.save_if_unchanged); StepOutOfOrder(conflict) when
        someone saved it meanwhile."""

    @abc.abstractmethod
    def _notices_of(self, case_no: str) -> list[dict]:
        """The notices stored with a case's issuance."""

    @abc.abstractmethod
    def _notices_since(self, since: datetime) -> list[dict]:
        """The notices of issuances written (with events) since then."""

    @abc.abstractmethod
    def get(self, case_no: str) -> Issuance:
        """The issuance of a case; NotFound when no result is ready for it."""

    @abc.abstractmethod
    def due_for_scan(self, now: datetime, remind_after: timedelta, archive_after: timedelta,
                     limit: int = 500) -> list[Issuance]:
        """Waiting results last reminded (or readied) `remind_after` ago, or ready since
        `archive_after` ago."""

    @abc.abstractmethod
    def queue(self, site: str, limit: int) -> list[Issuance]:
        """Results waiting at (or on their way to) a site, the earliest issue date first."""

    @abc.abstractmethod
    def refused(self, case_no: str, action: str, actor: Actor, error: DomainError, now: datetime) -> None:
        """Log a refused request with who asked, when and why (the request changed nothing)."""

    @abc.abstractmethod
    def refusals(self, case_no: str) -> list[dict]:
        """The refusals about a case, oldest first: {at, actor, action, error, reason}."""

    @abc.abstractmethod
    def count_by_status(self) -> dict[str, int]:
        """How many results are in each of STATUSES."""
