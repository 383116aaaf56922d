"""The simulated carrier (carrier-sim): not a service of the hall but a stand-in for EMS in
development and tests; it takes the bookings delivery publishes and reports each
shipment's progress over the bus as `carrier_status` events, after realistic delays."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from nameko.timer import timer
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.events import new_event
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from hall.infra.outbox import stamp
from simulators.carrier.plan import SimConfig, plan

CONFIG = SimConfig.from_env()
EMS = {"staff_id": "EMS", "role": "system", "site": "", "department": ""}


class CarrierRepository:
    COLLECTIONS = ("shipments",)

    def __init__(self, db, outbox):
        self.db, self.outbox = db, outbox
        db.shipments.create_index([("next_at", ASCENDING)])

    def book(self, booking, steps: list[dict]) -> bool:
        """Take a booking once (keyed by waybill); its first step is due after its delay."""
        now = datetime.now(timezone.utc)
        try:
            self.db.shipments.insert_one({
                "_id": booking.data["waybill"], "case_no": booking.case_no, "site": booking.site,
                "booked_at": now, "steps": steps, "next": 0,
                "next_at": now + timedelta(seconds=steps[0]["after"])})
        except DuplicateKeyError:
            return False
        return True

    def advance(self, now: datetime, limit: int = 200) -> int:
        """Report every step that is due; each step once, in order."""
        moved = 0
        for doc in self.db.shipments.find({"next_at": {"$lte": now}}, {"out": 0}).limit(limit):
            i, steps = doc["next"], doc["steps"]
            step = steps[i]
            event = new_event("carrier_status", doc["case_no"], doc["site"], now, EMS,
                              {"waybill": doc["_id"], "status": step["status"], "at": now.isoformat(),
                               "location": step["location"], "note": step["note"]},
                              caused_by=f"{doc['_id']}/{i}").to_dict()
            later = {"next": i + 1, "next_at": now + timedelta(seconds=steps[i + 1]["after"])} \
                if i + 1 < len(steps) else {"next": i + 1, "next_at": None, "done_at": now}
            result = self.db.shipments.update_one(
                {"_id": doc["_id"], "next": i}, {"$set": stamp(later), "$push": {"out": event}})
            if result.modified_count:
                self.outbox.handed([event])
                moved += 1
        return moved


class CarrierService:
    name = "carrier"
    store = Store("carrier", CarrierRepository)

    @case_event_handler("delivery", "shipment_created")
    def on_booking(self, event):
        """A shipment booked by the hall: plan its way to the recipient."""
        d = event.data
        self.store.book(event, plan(d["waybill"], d.get("address", ""), d.get("district", ""), CONFIG))

    @timer(interval=CONFIG.tick)
    def tick(self):
        """Report the steps whose time has come."""
        self.store.advance(datetime.now(timezone.utc))
