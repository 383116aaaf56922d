"""Intake's own database: cases as accepted, and the counters behind case numbers."""
from __future__ import annotations

from datetime import date

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from hall.infra.outbox import stamp

COLLECTIONS = ("cases",)


class IntakeRepository:
    def __init__(self, db):
        self.db = db
        db.cases.create_index([("idem", ASCENDING)], unique=True)
        db.cases.create_index([("site", ASCENDING), ("accepted_on", ASCENDING)])

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

    def count_by_status(self) -> dict:
        return {"accepted": self.db.cases.estimated_document_count()}
