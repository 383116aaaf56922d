"""The ports of intake's service layer: its store (cases as accepted with their documents and
paper hand-over, refused and supplement-notice submissions, supplement requests, queue
tickets, consultations, online applications) and the licence library it asks.

The adapters are services/intake/repository.py (MongoDB, the approval service's library over
gRPC) and the in-memory fake of tests/unit; one contract test runs against both. Records are
plain dicts keyed by `_id`, as stored. A store is built with the outbox: the two writes that
cause events (`add_case`, `submit_supplement`) hand them to it at once."""
from __future__ import annotations

import abc
from datetime import date

from .nodes import Numbering


class IntakeStore(abc.ABC):
    numbering = Numbering()  # which sites' cases this hall accepts (hall/domain/nodes.py)

    # --- cases ---------------------------------------------------------------------------
    @abc.abstractmethod
    def next_sequence(self, counter: str, day: date) -> int:
        """The next number of the (counter, day) sequence: never repeated, possibly skipped."""

    @abc.abstractmethod
    def case(self, case_no: str) -> dict | None: ...

    @abc.abstractmethod
    def case_by_key(self, idem: str) -> dict | None:
        """The case stored under an idempotency key (`<site>/<key>`)."""

    @abc.abstractmethod
    def add_case(self, record: dict, events: list[dict]) -> dict | None:
        """Store a new case with its events and hand them to the outbox; the stored case
        instead when its key was already used (then nothing is written)."""

    @abc.abstractmethod
    def submission(self, idem: str) -> dict | None:
        """A refused or supplement-notice submission, by its idempotency key (its `_id`)."""

    @abc.abstractmethod
    def add_submission(self, doc: dict) -> dict | None:
        """Store once; the stored one when the key was already used."""

    @abc.abstractmethod
    def document(self, code: str) -> dict | None:
        """A document of a case, a submission or an online application, by verification code."""

    @abc.abstractmethod
    def handovers(self, department: str, unsigned_only: bool, limit: int) -> list[dict]:
        """A department's paper hand-overs, oldest case first, each with its `case_no`."""

    @abc.abstractmethod
    def sign_handover(self, case_no: str, actor: dict, at: str) -> bool:
        """Sign once: False when it was signed already."""

    # --- supplements (补正) ----------------------------------------------------------------
    @abc.abstractmethod
    def add_waiting_supplement(self, rec: dict) -> bool:
        """Record a department's request once (keyed by its event id)."""

    @abc.abstractmethod
    def supplements(self, site: str = "", case_no: str = "", waiting_only: bool = False,
                    limit: int = 100) -> list[dict]:
        """Supplement requests, oldest first, without their events."""

    @abc.abstractmethod
    def submit_supplement(self, rec_id: str, fields: dict, event: dict) -> bool:
        """Mark a waiting request submitted with its event, handed to the outbox at once;
        False when it was no longer waiting."""

    @abc.abstractmethod
    def count_by_status(self) -> dict: ...

    # --- queue tickets (自动取号) ----------------------------------------------------------
    @abc.abstractmethod
    def ticket(self, ticket_id: str) -> dict | None: ...

    @abc.abstractmethod
    def ticket_by_key(self, idem: str) -> dict | None: ...

    @abc.abstractmethod
    def last_seq(self, site: str, day: str, sector: str) -> int:
        """The highest ticket number a sector's machine gave today (0 for none)."""

    @abc.abstractmethod
    def add_ticket(self, doc: dict) -> str:
        """'ok', 'same_key' (this key already has a ticket) or 'taken' (the id was just used)."""

    @abc.abstractmethod
    def waiting_tickets(self, site: str, day: str, sectors) -> list[dict]:
        """Today's waiting tickets of these sectors, in no particular order: the order they
        are called in is the domain's (hall.domain.queueing.call_order)."""

    @abc.abstractmethod
    def claim_ticket(self, ticket_id: str, fields: dict) -> bool:
        """Call a waiting ticket; False when another window called it first."""

    @abc.abstractmethod
    def change_ticket(self, ticket: dict, fields: dict, inc: dict | None = None) -> dict:
        """Change a ticket only if its status is still the one read (StepOutOfOrder if not);
        the ticket as changed."""

    @abc.abstractmethod
    def tickets_of_day(self, site: str, day: str) -> list[dict]: ...

    # --- consultations (咨询导办) and online applications (网上预审) --------------------------
    @abc.abstractmethod
    def consultation(self, _id: str) -> dict | None: ...

    @abc.abstractmethod
    def add_consultation(self, doc: dict) -> dict | None:
        """Store once per `idem`; the stored one when the key was already used."""

    @abc.abstractmethod
    def prereview(self, _id: str) -> dict | None: ...

    @abc.abstractmethod
    def prereview_by_key(self, idem: str) -> dict | None: ...

    @abc.abstractmethod
    def add_prereview(self, doc: dict) -> dict | None:
        """Store once per `idem`; the stored one when the key was already used."""

    @abc.abstractmethod
    def prereviews(self, site: str, status: str, limit: int) -> list[dict]:
        """A site's online applications (of one status, or all), oldest received first."""

    @abc.abstractmethod
    def close_prereview(self, _id: str, fields: dict) -> bool:
        """Pass or return a waiting application; False when it was no longer waiting."""


class LicenceLibrary(abc.ABC):
    """The e-licence library (电子证照库) as intake asks it."""

    @abc.abstractmethod
    def find(self, holder_id: str) -> tuple[list[dict], bool]:
        """(the holder's licences, reachable). An unreachable library answers ([], False)."""
