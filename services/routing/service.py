"""Routing (按责转办): sends each accepted case to its responsible department(s), holds the
ones nobody is responsible for, and routes a held case once the supervisor dispatches it."""
from __future__ import annotations

import functools
import logging
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from hall.catalogue import load_catalogue
from hall.domain import routing
from hall.domain.clock import SHANGHAI
from hall.infra import settings
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from hall.infra.outbox import stamp

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def professional_departments() -> frozenset:
    """Departments of the professional windows (专业综合), from the reference data."""
    cat = load_catalogue(settings.load().reference_dir)
    return frozenset(d.code for d in cat.departments.values() if d.sector == routing.PROFESSIONAL_SECTOR)


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

    def held(self, case_no: str) -> dict | None:
        doc = self.db.routes.find_one({"case_no": case_no, "type": "case_held"})
        return doc and doc["out"][0]


class RoutingService:
    name = "routing"
    store = Store("routing", RoutingRepository)

    @case_event_handler("intake", "case_accepted")
    def on_case_accepted(self, event):
        """Route an accepted case by the item's responsibility; hold it if nobody is responsible."""
        self.store.record(event.id, routing.route(event, datetime.now(SHANGHAI), professional_departments()))

    @case_event_handler("approval", "case_dispatched")
    def on_case_dispatched(self, event):
        """A held case the supervision office sent to departments: route it there, once."""
        held = self.store.held(event.case_no)
        if held is None:
            log.warning("dispatch of %s ignored: routing never held it", event.case_no)
            return
        self.store.record(event.id, routing.dispatch_held(held, event, professional_departments()))
