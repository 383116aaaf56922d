"""Delivery's own database: one issuance per decided case (with the notices decided about it),
the refusals at the issuance desk, and (through the notifier) the messages sent."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.errors import DomainError, NotFound
from hall.domain.identity import Actor
from hall.domain.issuance import Issuance
from hall.domain.notification import Notice, Notifier
from hall.infra.outbox import save_if_unchanged, stamp
from services.delivery.notifier import RecordingNotifier


class DeliveryRepository:
    COLLECTIONS = ("issuances",)

    def __init__(self, db, outbox, notifier: Notifier | None = None):
        self.db, self.outbox = db, outbox
        self.notifier = notifier or RecordingNotifier(db)
        # queries by status alone use this index's prefix; every index costs each write
        db.issuances.create_index([("status", ASCENDING), ("remind_from", ASCENDING)])
        if "status_1" in db.issuances.index_information():  # made by earlier versions
            db.issuances.drop_index("status_1")
        db.issuances.create_index([("pickup_site", ASCENDING), ("status", ASCENDING)])
        db.refusals.create_index([("case_no", ASCENDING), ("at", ASCENDING)])

    def _doc(self, issuance: Issuance) -> dict:
        doc = issuance.to_doc()
        doc["remind_from"] = issuance.reminded_at or issuance.ready_at
        return doc

    def prepare(self, issuance: Issuance, events: list[dict]) -> bool:
        """Store a prepared result with its events and notices, once per case; then notify."""
        try:
            self.db.issuances.insert_one(stamp({**self._doc(issuance), "out": events}))
        except DuplicateKeyError:
            self.resend(issuance.case_no)  # a redelivered decision: finish what a crash cut short
            return False
        self.outbox.handed(events)
        self._send(issuance)
        return True

    def get(self, case_no: str) -> Issuance:
        doc = self.db.issuances.find_one({"_id": case_no}, {"out": 0})
        if doc is None:
            raise NotFound(f"no result is ready for case {case_no}")
        return Issuance.from_doc(doc)

    def save(self, issuance: Issuance, events: list[dict]) -> None:
        """Write a changed issuance if nobody changed it since it was read; then notify."""
        issuance.rev = save_if_unchanged(
            self.db.issuances, self.outbox, issuance.case_no, self._doc(issuance), events,
            f"the result of case {issuance.case_no} changed meanwhile; try again")
        self._send(issuance)

    def _send(self, issuance: Issuance) -> None:
        for notice in issuance.fresh:
            self.notifier.send(notice)
        issuance.fresh.clear()

    def resend(self, case_no: str) -> None:
        doc = self.db.issuances.find_one({"_id": case_no}, {"notices": 1})
        for n in (doc or {}).get("notices", []):
            self.notifier.send(Notice.from_dict(n))

    def resend_recent(self, window: timedelta) -> int:
        """Send the notices of recently changed results that a crash kept from being sent."""
        since = datetime.now(timezone.utc) - window
        notices = [n for d in self.db.issuances.find({"out_at": {"$gte": since}}, {"notices": 1})
                   for n in d.get("notices", [])]
        done = self.notifier.sent([n["id"] for n in notices]) if notices else set()
        missing = [n for n in notices if n["id"] not in done]
        for n in missing:
            self.notifier.send(Notice.from_dict(n))
        return len(missing)

    def due_for_scan(self, now: datetime, remind_after: timedelta, archive_after: timedelta,
                     limit: int = 500) -> list[Issuance]:
        query = {"status": "ready", "$or": [{"remind_from": {"$lte": now - remind_after}},
                                            {"ready_at": {"$lte": now - archive_after}}]}
        return [Issuance.from_doc(d) for d in self.db.issuances.find(query, {"out": 0}).limit(limit)]

    def queue(self, site: str, limit: int) -> list[Issuance]:
        docs = self.db.issuances.find({"pickup_site": site, "status": {"$in": ["ready", "forwarding"]}},
                                      {"out": 0}).sort("issue_due", ASCENDING).limit(limit)
        return [Issuance.from_doc(d) for d in docs]

    def refused(self, case_no: str, action: str, actor: Actor, error: DomainError, now: datetime) -> None:
        """Log a refused request with who asked, when and why (the request changed nothing)."""
        self.db.refusals.insert_one({"_id": str(uuid.uuid4()), "case_no": case_no, "action": action,
                                     "actor": actor.to_dict(), "at": now.isoformat(),
                                     "error": type(error).__name__, "reason": str(error)})

    def refusals(self, case_no: str) -> list[dict]:
        return list(self.db.refusals.find({"case_no": case_no}).sort("at", ASCENDING))

    def count_by_status(self) -> dict:
        return {s: self.db.issuances.count_documents({"status": s})
                for s in ("forwarding", "ready", "shipping", "issued", "archived")}
