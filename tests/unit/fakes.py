"""In-memory fakes of the ports in hall/domain/ports.py, for unit tests of handlers."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from hall.domain.delivery_store import STATUSES, IssuanceRepository
from hall.domain.errors import NotFound, StepOutOfOrder
from hall.domain.issuance import Issuance
from hall.domain.notification import Notice, Notifier
from hall.domain.ports import Catalogue, EventOutbox


class MemoryOutbox(EventOutbox):
    def __init__(self):
        self.published: list[dict] = []

    def handed(self, events: list[dict]) -> None:
        self.published.extend(events)


class FixedCatalogue(Catalogue):
    def __init__(self, catalogue):
        self._catalogue = catalogue

    @property
    def current(self):
        return self._catalogue


class MemoryNotifier(Notifier):
    """Keeps what it would send, in memory; the same port as delivery's recording notifier."""

    def __init__(self):
        self.messages: dict[str, Notice] = {}

    def send(self, notice: Notice) -> bool:
        if notice.id in self.messages:
            return False
        self.messages[notice.id] = notice
        return True

    def sent(self, ids: list[str]) -> set[str]:
        return {i for i in ids if i in self.messages}


class InMemoryIssuanceRepository(IssuanceRepository):
    """Delivery's store kept in dicts; issuances are copied in and out like a database."""

    def __init__(self, outbox: EventOutbox, notifier: Notifier | None = None):
        super().__init__(outbox, notifier or MemoryNotifier())
        self.docs: dict[str, dict] = {}       # case_no -> issuance doc, with out_at
        self.refusal_log: list[dict] = []

    def _insert(self, issuance, events):
        if issuance.case_no in self.docs:
            return False
        self.docs[issuance.case_no] = {**copy.deepcopy(issuance.to_doc()), "out_at": datetime.now(timezone.utc)}
        return True

    def _update(self, issuance, events, conflict):
        stored = self.docs.get(issuance.case_no)
        if stored is None or stored["rev"] != issuance.rev:
            raise StepOutOfOrder(conflict)
        issuance.rev += 1
        self.docs[issuance.case_no] = {**copy.deepcopy(issuance.to_doc()), "out_at": datetime.now(timezone.utc)}
        self.outbox.handed(events)

    def _notices_of(self, case_no):
        return copy.deepcopy(self.docs.get(case_no, {}).get("notices", []))

    def _notices_since(self, since):
        return [copy.deepcopy(n) for d in self.docs.values() if d["out_at"] >= since for n in d.get("notices", [])]

    def _issuance(self, doc) -> Issuance:
        return Issuance.from_doc(copy.deepcopy({k: v for k, v in doc.items() if k != "out_at"}))

    def get(self, case_no):
        if case_no not in self.docs:
            raise NotFound(f"no result is ready for case {case_no}")
        return self._issuance(self.docs[case_no])

    def due_for_scan(self, now, remind_after, archive_after, limit=500):
        due = [d for d in self.docs.values() if d["status"] == "ready" and (
            (d["reminded_at"] or d["ready_at"]) <= now - remind_after or d["ready_at"] <= now - archive_after)]
        return [self._issuance(d) for d in due[:limit]]

    def queue(self, site, limit):
        waiting = [d for d in self.docs.values() if d["pickup_site"] == site and d["status"] in ("ready", "forwarding")]
        return [self._issuance(d) for d in sorted(waiting, key=lambda d: d["issue_due"])[:limit]]

    def refused(self, case_no, action, actor, error, now):
        self.refusal_log.append({"case_no": case_no, "action": action, "actor": actor.to_dict(), "at": now.isoformat(),
                                 "error": type(error).__name__, "reason": str(error)})

    def refusals(self, case_no):
        return sorted((copy.deepcopy(r) for r in self.refusal_log if r["case_no"] == case_no), key=lambda r: r["at"])

    def count_by_status(self):
        return {s: sum(d["status"] == s for d in self.docs.values()) for s in STATUSES}
