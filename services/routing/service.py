"""Routing (按责转办): sends each accepted case to its responsible department(s)."""
from __future__ import annotations

from datetime import datetime

from pymongo.errors import DuplicateKeyError

from hall.domain import routing
from hall.domain.clock import SHANGHAI
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from hall.infra.outbox import stamp


class RoutingRepository:
    COLLECTIONS = ("routes",)

    def __init__(self, db, outbox):
        self.db, self.outbox = db, outbox
        db.routes.create_index("case_no")

    def record(self, cause_id: str, event) -> bool:
        """Store the routing outcome of one accepted case once; False if already done."""
        try:
            self.db.routes.insert_one(stamp({"_id": cause_id, "case_no": event.case_no,
                                             "type": event.type, "out": [event.to_dict()]}))
        except DuplicateKeyError:
            return False
        self.outbox.handed([event.to_dict()])
        return True


class RoutingService:
    name = "routing"
    store = Store("routing", RoutingRepository)

    @case_event_handler("intake", "case_accepted")
    def on_case_accepted(self, event):
        """Route an accepted case by the item's responsibility; hold it if nobody is responsible."""
        self.store.record(event.id, routing.route(event, datetime.now(SHANGHAI)))
