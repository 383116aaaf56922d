"""Approval's own database: one review per case (parent and department children), the held
cases the supervision office must see, and the seal keys' record (hall/domain/approval_store.py)."""
from __future__ import annotations

import base64
from datetime import date

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.catalogue.validate import DEPT_CODE
from hall.domain import desk
from hall.domain.approval_store import Licensed, ReviewRepository, SealKeyStore
from hall.domain.errors import InvalidArgument, NotFound, StepOutOfOrder, quote
from hall.domain.events import Event
from hall.domain.identity import no_such_case
from hall.domain.joint import CaseReview
from hall.domain.ports import EventOutbox
from hall.infra.outbox import save_if_unchanged, stamp

LICENCE = {"licence": 1, "revocation": 1}


class MongoReviewRepository(ReviewRepository):
    COLLECTIONS = ("reviews", "held")

    def __init__(self, db, outbox: EventOutbox):
        self.db, self.outbox = db, outbox
        db.reviews.create_index([("pending", ASCENDING)])
        db.reviews.create_index([("codes", ASCENDING)])
        db.reviews.create_index([("licence.holder_id", ASCENDING)])
        db.reviews.create_index([("licence.licence_number", ASCENDING)])
        db.held.create_index([("dispatched", ASCENDING)])

    def add(self, review: CaseReview, due: dict[str, date]) -> bool:
        try:
            self.db.reviews.insert_one(stamp({**desk.to_doc(review, due), "out": []}))
            return True
        except DuplicateKeyError:
            return False

    def get(self, case_no: str) -> CaseReview:
        doc = self.db.reviews.find_one({"_id": case_no}, {"out": 0})
        if doc is None:
            raise NotFound(no_such_case(case_no))  # the gateway tells "not yet routed" apart
        return desk.from_doc(doc)

    def save(self, review: CaseReview, events: list[dict], due: dict[str, date]) -> None:
        review.rev = save_if_unchanged(
            self.db.reviews, self.outbox, review.case_no, desk.to_doc(review, due), events,
            f"case {review.case_no} was changed by someone else; try again")

    def worklist(self, department: str, limit: int, include_decided: bool, queue: str = "",
                 claimed_by: str = "") -> list[CaseReview]:
        # a review keeps its departments' parts under their codes; only a catalogue department
        # code (2-6 capital letters, checked at the edge and by the handler) names one here
        if not DEPT_CODE.fullmatch(department):
            raise InvalidArgument(f"unknown department {quote(department)}")
        query = {f"children.{department}": {"$exists": True}} if include_decided else {"pending": department}
        if queue:
            query[f"children.{department}.queue"] = queue
        if claimed_by:
            query[f"children.{department}.claimed_by"] = claimed_by
        docs = self.db.reviews.find(query, {"out": 0}).sort(f"due.{department}", ASCENDING).limit(limit)
        return [desk.from_doc(d) for d in docs]

    def by_code(self, code: str) -> CaseReview | None:
        doc = self.db.reviews.find_one({"codes": code}, {"out": 0})
        return doc and desk.from_doc(doc)

    def licences(self, holder_id: str) -> list[Licensed]:
        return [_licensed(d) for d in self.db.reviews.find({"licence.holder_id": holder_id}, LICENCE)]

    def licence(self, number: str) -> Licensed | None:
        doc = self.db.reviews.find_one({"licence.licence_number": number}, LICENCE)
        return doc and _licensed(doc)

    def hold(self, event: Event) -> bool:
        try:
            self.db.held.insert_one({"_id": event.case_no, "event": event.to_dict(), "dispatched": False})
            return True
        except DuplicateKeyError:
            return False

    def held(self, include_dispatched: bool, limit: int) -> list[dict]:
        query = {} if include_dispatched else {"dispatched": False}
        return list(self.db.held.find(query, {"out": 0, "out_at": 0}).sort("event.at", ASCENDING).limit(limit))

    def held_case(self, case_no: str) -> dict | None:
        return self.db.held.find_one({"_id": case_no}, {"out": 0, "out_at": 0})

    def dispatch(self, case_no: str, dispatch: dict, event: dict) -> dict:
        result = self.db.held.update_one({"_id": case_no, "dispatched": False},
                                         {"$set": stamp({"dispatched": True, "dispatch": dispatch}),
                                          "$push": {"out": event}})
        if result.matched_count != 1:
            doc = self.held_case(case_no)
            if doc is None:
                raise NotFound(f"case {case_no} is not held")
            raise StepOutOfOrder(f"case {case_no} was already sent to {'、'.join(doc['dispatch']['departments'])}")
        self.outbox.handed([event])
        return self.held_case(case_no)

    def count_by_status(self) -> dict:
        return {"pending": self.db.reviews.count_documents({"outcome": ""}),
                "decided": self.db.reviews.count_documents({"outcome": {"$ne": ""}}),
                "held": self.db.held.count_documents({"dispatched": False})}


def _licensed(doc: dict) -> Licensed:
    return Licensed(doc["licence"], doc.get("revocation") or {})


class MongoSealKeys(SealKeyStore):
    """Collection `seal_keys`: {_id: key id, department, public_key, source, seed?}."""

    def __init__(self, db):
        self.db = db

    def record(self, key_id: str, department: str, public_key: str, seed: bytes | None = None) -> bool:
        doc = {"_id": key_id, "department": department, "public_key": public_key,
               "source": "stored" if seed else "derived"}
        if seed:
            doc["seed"] = base64.b64encode(seed).decode()
        try:
            self.db.seal_keys.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    def seed(self, key_id: str) -> bytes | None:
        doc = self.db.seal_keys.find_one({"_id": key_id}, {"seed": 1})
        return base64.b64decode(doc["seed"]) if doc and doc.get("seed") else None

    def public_key(self, key_id: str) -> str | None:
        doc = self.db.seal_keys.find_one({"_id": key_id}, {"public_key": 1})
        return doc and doc["public_key"]
