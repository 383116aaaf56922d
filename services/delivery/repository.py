"""Delivery's own database: one issuance per decided case, with the notices sent about it."""
from __future__ import annotations

from dataclasses import asdict

from pymongo.errors import DuplicateKeyError

from hall.domain.errors import NotFound, StepOutOfOrder
from hall.domain.issuance import Issuance
from hall.infra.outbox import stamp


class DeliveryRepository:
    COLLECTIONS = ("issuances",)

    def __init__(self, db, outbox):
        self.db, self.outbox = db, outbox
        db.issuances.create_index("status")

    def prepare(self, issuance: Issuance, events: list[dict], notice: dict) -> bool:
        """Store a prepared result, its events and the notice to the applicant; once per case."""
        doc = asdict(issuance)
        doc["_id"] = doc.pop("case_no")
        try:
            self.db.issuances.insert_one(stamp({**doc, "out": events, "notices": [notice]}))
        except DuplicateKeyError:
            return False
        self.outbox.handed(events)
        return True

    def get(self, case_no: str) -> Issuance:
        doc = self.db.issuances.find_one({"_id": case_no}, {"out": 0, "notices": 0})
        if doc is None:
            raise NotFound(f"no result is ready for case {case_no}")
        doc["case_no"] = doc.pop("_id")
        doc.pop("out_at", None)
        return Issuance(**doc)

    def save(self, issuance: Issuance, events: list[dict]) -> None:
        doc = asdict(issuance)
        doc.pop("case_no")
        expected = doc["rev"]
        doc["rev"] = expected + 1
        result = self.db.issuances.update_one(
            {"_id": issuance.case_no, "rev": expected},
            {"$set": stamp(doc), "$push": {"out": {"$each": events}}})
        if result.matched_count != 1:
            raise StepOutOfOrder(f"the result of case {issuance.case_no} changed meanwhile; try again")
        issuance.rev = expected + 1
        self.outbox.handed(events)

    def notices(self, case_no: str) -> list[dict]:
        doc = self.db.issuances.find_one({"_id": case_no}, {"notices": 1})
        return doc["notices"] if doc else []

    def count_by_status(self) -> dict:
        return {s: self.db.issuances.count_documents({"status": s}) for s in ("ready", "issued")}
