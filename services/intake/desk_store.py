"""The front desk's own records in intake's database: queue tickets, consultations and
online applications waiting for pre-review."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.errors import StepOutOfOrder

CANDIDATES = 8  # waiting tickets read per call; a lost race moves on to the next one


class DeskStore:
    def __init__(self, db):
        self.db = db
        db.tickets.create_index([("idem", ASCENDING)], unique=True)
        db.tickets.create_index([("site", ASCENDING), ("day", ASCENDING), ("status", ASCENDING)])
        db.tickets.create_index([("site", ASCENDING), ("day", ASCENDING), ("origin", ASCENDING),
                                 ("seq", DESCENDING)])
        db.consultations.create_index([("idem", ASCENDING)], unique=True)
        db.prereviews.create_index([("idem", ASCENDING)], unique=True)
        db.prereviews.create_index([("site", ASCENDING), ("status", ASCENDING)])

    # tickets
    def ticket(self, ticket_id: str) -> dict | None:
        return self.db.tickets.find_one({"_id": ticket_id})

    def ticket_by_idem(self, idem: str) -> dict | None:
        return self.db.tickets.find_one({"idem": idem})

    def last_seq(self, site: str, day: str, sector: str) -> int:
        last = list(self.db.tickets.find({"site": site, "day": day, "origin": sector}, {"seq": 1})
                    .sort("seq", DESCENDING).limit(1))
        return last[0]["seq"] if last else 0

    def insert_ticket(self, doc: dict) -> str:
        """'ok', 'same_key' (this key already has a ticket) or 'taken' (the number was just used)."""
        try:
            self.db.tickets.insert_one(doc)
            return "ok"
        except DuplicateKeyError:
            return "same_key" if self.ticket_by_idem(doc["idem"]) else "taken"

    def waiting(self, site: str, day: str, sectors) -> list[dict]:
        return list(self.db.tickets.find({"site": site, "day": day, "status": "waiting",
                                          "sector": {"$in": list(sectors)}})
                    .sort([("priority_rank", DESCENDING), ("queued_at", ASCENDING)]).limit(CANDIDATES))

    def claim(self, ticket_id: str, fields: dict) -> bool:
        """Call a waiting ticket; False when another window called it first."""
        return self.db.tickets.update_one({"_id": ticket_id, "status": "waiting"},
                                          {"$set": fields}).matched_count == 1

    def change_ticket(self, ticket: dict, fields: dict, inc: dict | None = None) -> dict:
        """Change a ticket only if its status is still what was read."""
        update = {"$set": fields, **({"$inc": inc} if inc else {})}
        if self.db.tickets.update_one({"_id": ticket["_id"], "status": ticket["status"]},
                                      update).matched_count != 1:
            raise StepOutOfOrder(f"ticket {ticket['number']} was changed at another window; look again")
        return self.ticket(ticket["_id"])

    def tickets_of_day(self, site: str, day: str) -> list[dict]:
        return list(self.db.tickets.find({"site": site, "day": day}))

    # consultations
    def insert_once(self, collection: str, doc: dict) -> dict | None:
        """Insert; the stored record when its idempotency key was already used."""
        try:
            self.db[collection].insert_one(doc)
            return None
        except DuplicateKeyError:
            return self.db[collection].find_one({"idem": doc["idem"]})

    def get(self, collection: str, _id: str) -> dict | None:
        return self.db[collection].find_one({"_id": _id})

    # prereviews
    def prereviews(self, site: str, status: str, limit: int) -> list[dict]:
        query = {"site": site, **({"status": status} if status else {})}
        return list(self.db.prereviews.find(query).sort("received_at", ASCENDING).limit(limit))

    def close_prereview(self, pre_id: str, fields: dict) -> bool:
        return self.db.prereviews.update_one({"_id": pre_id, "status": "waiting"},
                                             {"$set": fields}).matched_count == 1
