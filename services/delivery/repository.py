"""Delivery's own database: one issuance per decided case (with the notices decided about it),
the refusals at the issuance desk, and the text messages recorded as sent."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from prometheus_client import Counter
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.delivery_store import STATUSES, IssuanceRepository
from hall.domain.errors import DomainError, NotFound
from hall.domain.identity import Actor
from hall.domain.issuance import Issuance
from hall.domain.notification import Notice, Notifier
from hall.infra.mongo import ids_present
from hall.infra.outbox import save_if_unchanged, stamp

NOTICES = Counter("hall_notices_recorded_total", "Text messages recorded for applicants", ["kind"])


class RecordingNotifier(Notifier):
    """No SMS gateway is reachable here: each text message is recorded, once, in delivery's
    `messages` collection, as it would have been sent."""

    def __init__(self, db):
        self.messages = db.messages
        self.messages.create_index("case_no")

    def send(self, notice: Notice) -> bool:
        try:
            self.messages.insert_one({"_id": notice.id, **notice.to_dict(),
                                      "recorded_at": datetime.now(timezone.utc)})
        except DuplicateKeyError:
            return False
        NOTICES.labels(notice.kind).inc()
        return True

    def sent(self, ids: list[str]) -> set[str]:
        return ids_present(self.messages, ids)


class MongoIssuanceRepository(IssuanceRepository):
    COLLECTIONS = ("issuances",)

    def __init__(self, db, outbox, notifier: Notifier | None = None):
        super().__init__(outbox, notifier or RecordingNotifier(db))
        self.db = db
        # queries by status alone use this index's prefix; every index costs each write
        db.issuances.create_index([("status", ASCENDING), ("remind_from", ASCENDING)])
        if "status_1" in db.issuances.index_information():  # made by earlier versions
            db.issuances.drop_index("status_1")
        db.issuances.create_index([("pickup_site", ASCENDING), ("status", ASCENDING)])
        db.refusals.create_index([("case_no", ASCENDING), ("at", ASCENDING)])

    @staticmethod
    def _doc(issuance: Issuance) -> dict:
        doc = issuance.to_doc()
        doc["remind_from"] = issuance.reminded_at or issuance.ready_at
        return doc

    def _insert(self, issuance: Issuance, events: list[dict]) -> bool:
        try:
            self.db.issuances.insert_one(stamp({**self._doc(issuance), "out": events}))
        except DuplicateKeyError:
            return False
        return True

    def _update(self, issuance: Issuance, events: list[dict], conflict: str) -> None:
        issuance.rev = save_if_unchanged(self.db.issuances, self.outbox, issuance.case_no,
                                         self._doc(issuance), events, conflict)

    def _notices_of(self, case_no: str) -> list[dict]:
        return (self.db.issuances.find_one({"_id": case_no}, {"notices": 1}) or {}).get("notices", [])

    def _notices_since(self, since: datetime) -> list[dict]:
        return [n for d in self.db.issuances.find({"out_at": {"$gte": since}}, {"notices": 1})
                for n in d.get("notices", [])]

    def get(self, case_no: str) -> Issuance:
        doc = self.db.issuances.find_one({"_id": case_no}, {"out": 0})
        if doc is None:
            raise NotFound(f"no result is ready for case {case_no}")
        return Issuance.from_doc(doc)

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
        self.db.refusals.insert_one({"_id": str(uuid.uuid4()), "case_no": case_no, "action": action,
                                     "actor": actor.to_dict(), "at": now.isoformat(),
                                     "error": type(error).__name__, "reason": str(error)})

    def refusals(self, case_no: str) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "_id"}
                for r in self.db.refusals.find({"case_no": case_no}).sort("at", ASCENDING)]

    def count_by_status(self) -> dict:
        return {s: self.db.issuances.count_documents({"status": s}) for s in STATUSES}
