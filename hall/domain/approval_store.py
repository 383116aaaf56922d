"""The approval service's storage ports: the reviews (one per case, with its departments'
children), the held cases the supervision office sends on, and the seal keys' record.

The adapters are services/approval/repository.py (MongoDB) and the in-memory fakes of the unit
tests; one contract test runs against both (tests/unit/test_approval_repository_contract.py)."""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date

from .events import Event
from .joint import CaseReview


@dataclass(frozen=True)
class Licensed:
    """An e-licence as the library keeps it: the sealed licence and its case's revocation."""
    licence: dict
    revocation: dict = field(default_factory=dict)


class ReviewRepository(abc.ABC):
    """Every write that causes events hands them to the outbox it was built with, at once."""

    @abc.abstractmethod
    def add(self, review: CaseReview, due: dict[str, date]) -> bool:
        """Store a new review (`due`: each department's due date, the worklists' order);
        False if the case already has one."""

    @abc.abstractmethod
    def get(self, case_no: str) -> CaseReview:
        """The case's review; NotFound (hall.domain.identity.no_such_case) if there is none."""

    @abc.abstractmethod
    def save(self, review: CaseReview, events: list[dict], due: dict[str, date]) -> None:
        """Store a changed review with its events if nobody saved it since it was read (its
        `rev` then moves on); else StepOutOfOrder."""

    @abc.abstractmethod
    def worklist(self, department: str, limit: int, include_decided: bool, queue: str = "",
                 claimed_by: str = "") -> list[CaseReview]:
        """A department's reviews (pending ones unless include_decided), earliest due first."""

    @abc.abstractmethod
    def by_code(self, code: str) -> CaseReview | None:
        """The review whose decision documents include this verification code."""

    @abc.abstractmethod
    def licences(self, holder_id: str) -> list[Licensed]:
        """Every e-licence issued to a holder."""

    @abc.abstractmethod
    def licence(self, number: str) -> Licensed | None:
        """The e-licence with this number."""

    @abc.abstractmethod
    def hold(self, event: Event) -> bool:
        """Keep a case_held event on the held list; False if the case is there already."""

    @abc.abstractmethod
    def held(self, include_dispatched: bool, limit: int) -> list[dict]:
        """Held cases ({_id, event, dispatched, dispatch?}), oldest first."""

    @abc.abstractmethod
    def held_case(self, case_no: str) -> dict | None:
        """One held case."""

    @abc.abstractmethod
    def dispatch(self, case_no: str, dispatch: dict, event: dict) -> dict:
        """Mark a held case sent on, with its case_dispatched event, once: NotFound if it is not
        held, StepOutOfOrder if it was sent already. Returns the held case as it now is."""

    @abc.abstractmethod
    def count_by_status(self) -> dict:
        """{pending, decided, held}: the cases gauge."""


class SealKeyStore(abc.ABC):
    """The departments' seal keys on record: the public half always, the private seed only for
    keys generated here (hall.domain.seal.Keyring decides which)."""

    @abc.abstractmethod
    def record(self, key_id: str, department: str, public_key: str, seed: bytes | None = None) -> bool:
        """Record a key once (the first writer wins); False if the id was recorded already."""

    @abc.abstractmethod
    def seed(self, key_id: str) -> bytes | None:
        """The stored private seed of a generated key (None if none was stored)."""

    @abc.abstractmethod
    def public_key(self, key_id: str) -> str | None:
        """The public key on record for a key id."""
