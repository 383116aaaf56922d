"""Intake's own database: cases as accepted (with their documents and paper hand-over), the
refused and supplement-notice submissions, supplement requests, and case-number counters."""
from __future__ import annotations

from datetime import date

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from hall.infra.outbox import stamp

COLLECTIONS = ("cases", "supplements")
HOLDERS = ("cases", "submissions", "prereviews")  # collections whose records carry documents


class IntakeRepository:
    COLLECTIONS = COLLECTIONS

    def __init__(self, db, outbox=None):
        self.db, self.outbox = db, outbox
        db.cases.create_index([("idem", ASCENDING)], unique=True)
        db.cases.create_index([("site", ASCENDING), ("accepted_on", ASCENDING)])
        db.cases.create_index([("handover.department", ASCENDING), ("handover.signed_at", ASCENDING)])
        for name in HOLDERS:
            db[name].create_index("documents.code")
        db.supplements.create_index([("site", ASCENDING), ("status", ASCENDING)])
        db.supplements.create_index("case_no")

    def reserve(self, site: str, day: date, size: int) -> int:
        """Advance the (site, day) counter by `size`; the first number of the block."""
        doc = self.db.counters.find_one_and_update(
            {"_id": f"{site}/{day:%Y%m%d}"}, {"$inc": {"next": size}},
            upsert=True, return_document=ReturnDocument.AFTER)
        return doc["next"] - size + 1

    def by_idempotency_key(self, idem: str) -> dict | None:
        return self.db.cases.find_one({"idem": idem})

    def insert(self, record: dict, events: list[dict]) -> dict | None:
        """Store a new case with its events; the existing case when the key was already used."""
        try:
            self.db.cases.insert_one(stamp({**record, "out": events}))
            return None
        except DuplicateKeyError:
            return self.by_idempotency_key(record["idem"])

    def get(self, case_no: str) -> dict | None:
        return self.db.cases.find_one({"_id": case_no})

    def submission(self, idem: str) -> dict | None:
        """A refused or supplement-notice submission stored under its idempotency key."""
        return self.db.submissions.find_one({"_id": idem})

    def insert_submission(self, doc: dict) -> dict | None:
        try:
            self.db.submissions.insert_one(doc)
            return None
        except DuplicateKeyError:
            return self.submission(doc["_id"])

    def document(self, code: str) -> dict | None:
        for name in HOLDERS:
            holder = self.db[name].find_one({"documents.code": code}, {"documents": 1})
            if holder:
                return next(d for d in holder["documents"] if d["code"] == code)
        return None

    def handovers(self, department: str, unsigned_only: bool, limit: int) -> list[dict]:
        query = {"handover.department": department}
        if unsigned_only:
            query["handover.signed_at"] = ""
        return [{"case_no": c["_id"], **c["handover"]} for c in
                self.db.cases.find(query, {"handover": 1}).sort("accepted_at", ASCENDING).limit(limit)]

    def sign_handover(self, case_no: str, actor: dict, at: str) -> bool:
        """Sign once: only an unsigned hand-over changes."""
        return self.db.cases.update_one(
            {"_id": case_no, "handover.signed_at": ""},
            {"$set": {"handover.signed_at": at, "handover.signed_by": actor}}).matched_count == 1

    def add_waiting_supplement(self, rec: dict) -> bool:
        """Record a department's supplement request once (keyed by its event id)."""
        try:
            self.db.supplements.insert_one(rec)
            return True
        except DuplicateKeyError:
            return False

    def supplements(self, query: dict, limit: int) -> list[dict]:
        return list(self.db.supplements.find(query, {"out": 0}).sort("requested_at", ASCENDING).limit(limit))

    def mark_supplement_submitted(self, rec_id: str, fields: dict, event: dict) -> bool:
        ok = self.db.supplements.update_one(
            {"_id": rec_id, "status": "waiting"},
            {"$set": stamp({**fields, "status": "submitted"}), "$push": {"out": event}}).matched_count == 1
        if ok and self.outbox:
            self.outbox.handed([event])
        return ok

    def count_by_status(self) -> dict:
        return {"accepted": self.db.cases.estimated_document_count(),
                "awaiting_supplement": self.db.supplements.count_documents({"status": "waiting"})}
