"""Intake's own database (cases as accepted with their documents and paper hand-over, the
refused and supplement-notice submissions, supplement requests, case-number counters, queue
tickets, consultations, online applications) and the e-licence library it asks over gRPC."""
from __future__ import annotations

import logging
from datetime import date

import grpc
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.case_number import SequenceBlocks
from hall.domain.errors import StepOutOfOrder
from hall.domain.intake_store import IntakeStore, LicenceLibrary
from hall.domain.ports import EventOutbox
from hall.infra.outbox import stamp

log = logging.getLogger(__name__)
HOLDERS = ("cases", "submissions", "prereviews")  # collections whose records carry documents


class MongoIntakeRepository(IntakeStore):
    COLLECTIONS = ("cases", "supplements")  # those whose records carry events (the outbox sweeps them)

    def __init__(self, db, outbox: EventOutbox):
        self.db, self.outbox = db, outbox
        self._sequences = SequenceBlocks(self._reserve)
        db.cases.create_index([("idem", ASCENDING)], unique=True)
        db.cases.create_index([("site", ASCENDING), ("accepted_on", ASCENDING)])
        db.cases.create_index([("handover.department", ASCENDING), ("handover.signed_at", ASCENDING)])
        for name in HOLDERS:
            db[name].create_index("documents.code")
        db.supplements.create_index([("site", ASCENDING), ("status", ASCENDING)])
        db.supplements.create_index("case_no")
        db.tickets.create_index([("idem", ASCENDING)], unique=True)
        db.tickets.create_index([("site", ASCENDING), ("day", ASCENDING), ("status", ASCENDING)])
        db.tickets.create_index([("site", ASCENDING), ("day", ASCENDING), ("origin", ASCENDING),
                                 ("seq", DESCENDING)])
        db.consultations.create_index([("idem", ASCENDING)], unique=True)
        db.prereviews.create_index([("idem", ASCENDING)], unique=True)
        db.prereviews.create_index([("site", ASCENDING), ("status", ASCENDING)])

    # --- cases ---------------------------------------------------------------------------
    def _reserve(self, counter: str, day: date, size: int) -> int:
        """Claim the next block of `size` numbers of the (counter, day); its first number.

        A block is a document of its own whose _id (counter/day/first number) is unique, so two
        processes never claim numbers from the same place: the loser of a race reads again and takes the
        next. An insert and an indexed read, never find_one_and_update (which scans the whole
        collection on the embedded server). `next` is the block's last number, as the single
        counter document of earlier versions (`counter/day`) held it, so both are read alike."""
        head = f"{counter}/{day:%Y%m%d}"
        while True:
            last = self.db.counters.find_one({"_id": {"$gte": head, "$lt": head + "/~"}},
                                             sort=[("_id", DESCENDING)])
            first = (last["next"] if last else 0) + 1
            end = first + size - 1
            try:
                self.db.counters.insert_one({"_id": f"{head}/{first:09d}", "next": end})
                return first
            except DuplicateKeyError:
                continue

    def next_sequence(self, counter, day):
        return self._sequences.next(counter, day)

    def case(self, case_no):
        return self.db.cases.find_one({"_id": case_no})

    def case_by_key(self, idem):
        return self.db.cases.find_one({"idem": idem})

    def add_case(self, record, events):
        try:
            self.db.cases.insert_one(stamp({**record, "out": events}))
        except DuplicateKeyError:
            return self.case_by_key(record["idem"])
        self.outbox.handed(events)
        return None

    def submission(self, idem):
        return self.db.submissions.find_one({"_id": idem})

    def add_submission(self, doc):
        return self._insert_once("submissions", doc, {"_id": doc["_id"]})

    def document(self, code):
        for name in HOLDERS:
            holder = self.db[name].find_one({"documents.code": code}, {"documents": 1})
            if holder:
                return next(d for d in holder["documents"] if d["code"] == code)
        return None

    def handovers(self, department, unsigned_only, limit):
        query = {"handover.department": department}
        if unsigned_only:
            query["handover.signed_at"] = ""
        return [{"case_no": c["_id"], **c["handover"]} for c in
                self.db.cases.find(query, {"handover": 1}).sort("accepted_at", ASCENDING).limit(limit)]

    def sign_handover(self, case_no, actor, at):
        return self.db.cases.update_one(
            {"_id": case_no, "handover.signed_at": ""},
            {"$set": {"handover.signed_at": at, "handover.signed_by": actor}}).matched_count == 1

    # --- supplements ----------------------------------------------------------------------
    def add_waiting_supplement(self, rec):
        try:
            self.db.supplements.insert_one(rec)
            return True
        except DuplicateKeyError:
            return False

    def supplements(self, site="", case_no="", waiting_only=False, limit=100):
        query = {k: v for k, v in (("site", site), ("case_no", case_no)) if v}
        if waiting_only:
            query["status"] = "waiting"
        return list(self.db.supplements.find(query, {"out": 0}).sort("requested_at", ASCENDING).limit(limit))

    def submit_supplement(self, rec_id, fields, event):
        if self.db.supplements.update_one(
                {"_id": rec_id, "status": "waiting"},
                {"$set": stamp({**fields, "status": "submitted"}), "$push": {"out": event}}).matched_count != 1:
            return False
        self.outbox.handed([event])
        return True

    def count_by_status(self):
        return {"accepted": self.db.cases.estimated_document_count(),
                "awaiting_supplement": self.db.supplements.count_documents({"status": "waiting"})}

    # --- queue tickets --------------------------------------------------------------------
    def ticket(self, ticket_id):
        return self.db.tickets.find_one({"_id": ticket_id})

    def ticket_by_key(self, idem):
        return self.db.tickets.find_one({"idem": idem})

    def last_seq(self, site, day, sector):
        last = list(self.db.tickets.find({"site": site, "day": day, "origin": sector}, {"seq": 1})
                    .sort("seq", DESCENDING).limit(1))
        return last[0]["seq"] if last else 0

    def add_ticket(self, doc):
        try:
            self.db.tickets.insert_one(doc)
            return "ok"
        except DuplicateKeyError:
            return "same_key" if self.ticket_by_key(doc["idem"]) else "taken"

    def waiting_tickets(self, site, day, sectors):
        return list(self.db.tickets.find({"site": site, "day": day, "status": "waiting",
                                          "sector": {"$in": list(sectors)}}))

    def claim_ticket(self, ticket_id, fields):
        return self.db.tickets.update_one({"_id": ticket_id, "status": "waiting"},
                                          {"$set": fields}).matched_count == 1

    def change_ticket(self, ticket, fields, inc=None):
        update = {"$set": fields, **({"$inc": inc} if inc else {})}
        if self.db.tickets.update_one({"_id": ticket["_id"], "status": ticket["status"]},
                                      update).matched_count != 1:
            raise StepOutOfOrder(f"ticket {ticket['number']} was changed at another window; look again")
        return self.ticket(ticket["_id"])

    def tickets_of_day(self, site, day):
        return list(self.db.tickets.find({"site": site, "day": day}))

    # --- consultations and online applications -------------------------------------------
    def consultation(self, _id):
        return self.db.consultations.find_one({"_id": _id})

    def add_consultation(self, doc):
        return self._insert_once("consultations", doc, {"idem": doc["idem"]})

    def prereview(self, _id):
        return self.db.prereviews.find_one({"_id": _id})

    def prereview_by_key(self, idem):
        return self.db.prereviews.find_one({"idem": idem})

    def add_prereview(self, doc):
        return self._insert_once("prereviews", doc, {"idem": doc["idem"]})

    def prereviews(self, site, status, limit):
        query = {"site": site, **({"status": status} if status else {})}
        return list(self.db.prereviews.find(query).sort("received_at", ASCENDING).limit(limit))

    def close_prereview(self, _id, fields):
        return self.db.prereviews.update_one({"_id": _id, "status": "waiting"},
                                             {"$set": fields}).matched_count == 1

    def _insert_once(self, collection: str, doc: dict, key: dict) -> dict | None:
        try:
            self.db[collection].insert_one(doc)
            return None
        except DuplicateKeyError:
            return self.db[collection].find_one(key)


LICENCE_FIELDS = ("licence_number", "licence_type", "holder_id", "holder_name", "item_code",
                  "department", "valid_from", "valid_to", "trust_level", "status")


class GrpcLicenceLibrary(LicenceLibrary):
    """approval-api's BackOffice.FindLicences, called with intake's own trusted channel."""

    def __init__(self, channel: grpc.Channel, timeout: float = 3.0):
        from hall.v1 import backoffice_pb2_grpc, licences_pb2
        self._pb, self._timeout = licences_pb2, timeout
        self._stub = backoffice_pb2_grpc.BackOfficeStub(channel)

    def find(self, holder_id):
        try:
            resp = self._stub.FindLicences(self._pb.FindLicencesRequest(holder_id=holder_id),
                                           timeout=self._timeout)
        except grpc.RpcError as exc:
            log.warning("licence library unavailable (%s); paper is required", exc.code())
            return [], False
        return [{f: getattr(lic, f) for f in LICENCE_FIELDS} for lic in resp.licences], True
