"""Approval's own database: one review per case (parent and department children), the held
cases the supervision office must see, and the seal keys' public halves."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain import desk
from hall.domain.clock import SHANGHAI
from hall.domain.errors import NotFound, StepOutOfOrder
from hall.domain.identity import no_such_case
from hall.domain.joint import CaseReview
from hall.domain.workdays import WorkCalendar
from hall.infra import settings
from hall.infra.outbox import save_if_unchanged, stamp

ATTEMPTS = 8


class ApprovalRepository:
    COLLECTIONS = ("reviews", "held")

    def __init__(self, db, outbox, calendar=None):
        self.db, self.outbox = db, outbox
        # worklist deadlines are stored with each review so the worklist sorts in the database
        self.calendar = calendar or WorkCalendar.load(settings.load().calendar_dir)
        db.reviews.create_index([("pending", ASCENDING)])
        db.reviews.create_index([("codes", ASCENDING)])
        db.reviews.create_index([("licence.holder_id", ASCENDING)])
        db.reviews.create_index([("licence.licence_number", ASCENDING)])
        db.held.create_index([("dispatched", ASCENDING)])

    def _today(self):
        return datetime.now(SHANGHAI).date()

    def open(self, review: CaseReview) -> bool:
        """Put a routed case on its departments' worklists once; False if already there."""
        try:
            self.db.reviews.insert_one(stamp({**desk.to_doc(review, self.calendar, self._today()), "out": []}))
            return True
        except DuplicateKeyError:
            return False

    def find(self, case_no: str) -> dict | None:
        return self.db.reviews.find_one({"_id": case_no}, {"out": 0})

    def get(self, case_no: str) -> CaseReview:
        doc = self.find(case_no)
        if doc is None:
            raise NotFound(no_such_case(case_no))  # the gateway tells "not yet routed" apart
        return desk.from_doc(doc)

    def save(self, review: CaseReview, events: list[dict]) -> None:
        """Write a changed review if nobody else changed it since it was read (else StepOutOfOrder)."""
        review.rev = save_if_unchanged(
            self.db.reviews, self.outbox, review.case_no, desk.to_doc(review, self.calendar, self._today()),
            events, f"case {review.case_no} was changed by someone else; try again")

    def mutate(self, case_no: str, change) -> CaseReview:
        """Apply `change(review) -> events` and save; on a concurrent write, re-read and re-apply
        (the step's own checks then see the other write: a second claim is refused)."""
        for attempt in range(ATTEMPTS):
            review = self.get(case_no)
            events = [e.to_dict() for e in change(review)]
            try:
                self.save(review, events)
                return review
            except StepOutOfOrder:
                if attempt == ATTEMPTS - 1:
                    raise

    def worklist(self, department: str, limit: int, include_decided: bool, queue: str = "",
                 claimed_by: str = "") -> list[dict]:
        query = {f"children.{department}": {"$exists": True}} if include_decided else {"pending": department}
        if queue:
            query[f"children.{department}.queue"] = queue
        if claimed_by:
            query[f"children.{department}.claimed_by"] = claimed_by
        return list(self.db.reviews.find(query, {"out": 0}).sort(f"due.{department}", ASCENDING).limit(limit))

    def by_code(self, code: str) -> dict | None:
        return self.db.reviews.find_one({"codes": code}, {"out": 0})

    def licences(self, holder_id: str) -> list[dict]:
        return list(self.db.reviews.find({"licence.holder_id": holder_id}, {"licence": 1, "revocation": 1}))

    def licence(self, number: str) -> dict | None:
        return self.db.reviews.find_one({"licence.licence_number": number}, {"licence": 1, "revocation": 1})

    # -- held cases -------------------------------------------------------------------------
    def hold(self, event) -> bool:
        try:
            self.db.held.insert_one({"_id": event.case_no, "event": event.to_dict(), "dispatched": False})
            return True
        except DuplicateKeyError:
            return False

    def held(self, include_dispatched: bool, limit: int) -> list[dict]:
        query = {} if include_dispatched else {"dispatched": False}
        return list(self.db.held.find(query, {"out": 0}).sort("event.at", ASCENDING).limit(limit))

    def dispatch(self, case_no: str, dispatch: dict, event: dict) -> dict:
        """Mark a held case dispatched, with its case_dispatched event, once."""
        result = self.db.held.update_one({"_id": case_no, "dispatched": False},
                                         {"$set": stamp({"dispatched": True, "dispatch": dispatch}),
                                          "$push": {"out": event}})
        if result.matched_count != 1:
            doc = self.db.held.find_one({"_id": case_no})
            if doc is None:
                raise NotFound(f"case {case_no} is not held")
            raise StepOutOfOrder(f"case {case_no} was already sent to {'、'.join(doc['dispatch']['departments'])}")
        self.outbox.handed([event])
        return self.db.held.find_one({"_id": case_no}, {"out": 0})

    def count_by_status(self) -> dict:
        return {"pending": self.db.reviews.count_documents({"outcome": ""}),
                "decided": self.db.reviews.count_documents({"outcome": {"$ne": ""}}),
                "held": self.db.held.count_documents({"dispatched": False})}
