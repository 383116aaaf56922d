"""The SLA service's own database: every case's timeline, one document per event seen, and
the supervision data built on it (services/sla/supervision_store.py)."""
from __future__ import annotations

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.events import Event
from hall.domain.timeline import STEP
from hall.infra.outbox import stamp
from services.sla.supervision_store import SupervisionStore


class TimelineRepository:
    COLLECTIONS = ("timeline",)

    def __init__(self, db, outbox):
        self.db, self.outbox = db, outbox
        db.timeline.create_index([("case_no", ASCENDING), ("at", ASCENDING)])
        db.timeline.create_index("type")

    def record(self, event: Event, service: str, own: bool = False) -> bool:
        """Add an event to its case's timeline once; `own` events are also published."""
        doc = {"_id": event.id, **event.to_dict(), "service": service}
        doc.pop("id")
        if own:
            stamp(doc)["out"] = [event.to_dict()]
        try:
            self.db.timeline.insert_one(doc)
        except DuplicateKeyError:
            return False
        if own:
            self.outbox.handed([event.to_dict()])
        return True

    def events(self, case_no: str) -> list[dict]:
        docs = list(self.db.timeline.find({"case_no": case_no}, {"out": 0, "out_at": 0}))
        for d in docs:
            d["id"] = d.pop("_id")
        return docs

    def first(self, case_no: str, type_: str) -> dict | None:
        return self.db.timeline.find_one({"case_no": case_no, "type": type_})

    def count_by_status(self) -> dict:
        """Cases now in each status: those that reached a step minus those that went past it."""
        reached = {t: self.db.timeline.count_documents({"type": t}) for t in STEP}
        order = ["case_accepted", "case_routed", "case_decided", "result_ready", "result_issued"]
        counts = {STEP[t][1]: reached[t] - reached[n] for t, n in zip(order, order[1:])}
        counts["accepted"] -= reached["case_held"]
        counts["held"] = reached["case_held"]
        counts["closed"] = reached["case_closed"]
        return counts


class SlaRepository(TimelineRepository, SupervisionStore):
    """Everything the SLA service stores; `notices` carry their events for the outbox."""
    COLLECTIONS = ("timeline", "notices")

    def __init__(self, db, outbox):
        TimelineRepository.__init__(self, db, outbox)
        SupervisionStore.__init__(self, db, outbox)
