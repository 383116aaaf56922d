"""Approval's own database: one review per case, with each department's decision."""
from __future__ import annotations

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.errors import NotFound, StepOutOfOrder
from hall.domain.review import Review
from hall.infra.outbox import stamp


class ApprovalRepository:
    COLLECTIONS = ("reviews",)

    def __init__(self, db, outbox):
        self.db, self.outbox = db, outbox
        db.reviews.create_index([("pending", ASCENDING), ("routed.promised_due", ASCENDING)])

    def open(self, review: Review) -> bool:
        """Put a routed case on its departments' worklists once; False if already there."""
        try:
            self.db.reviews.insert_one(stamp({**review.to_doc(), "out": []}))
            return True
        except DuplicateKeyError:
            return False

    def get(self, case_no: str) -> Review:
        doc = self.db.reviews.find_one({"_id": case_no}, {"out": 0})
        if doc is None:
            raise NotFound(f"case {case_no} is not (yet) routed to any department")
        return Review.from_doc(doc)

    def save(self, review: Review, events: list[dict]) -> None:
        """Write a changed review if nobody else changed it since it was read."""
        doc = review.to_doc()
        doc.pop("_id")
        expected = doc["rev"]
        doc["rev"] = expected + 1
        result = self.db.reviews.update_one(
            {"_id": review.case_no, "rev": expected},
            {"$set": stamp(doc), "$push": {"out": {"$each": events}}})
        if result.matched_count != 1:
            raise StepOutOfOrder(f"case {review.case_no} was changed by someone else; try again")
        review.rev = expected + 1
        self.outbox.handed(events)

    def worklist(self, department: str, limit: int, include_decided: bool) -> list[dict]:
        query = {"departments." + department: {"$exists": True}} if include_decided \
            else {"pending": department}
        return list(self.db.reviews.find(query, {"out": 0})
                    .sort("routed.promised_due", ASCENDING).limit(limit))

    def count_by_status(self) -> dict:
        return {"pending": self.db.reviews.count_documents({"outcome": ""}),
                "decided": self.db.reviews.count_documents({"outcome": {"$ne": ""}})}
