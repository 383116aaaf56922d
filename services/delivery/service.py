"""Delivery (统一出件), event half: a decided case's result is prepared and the applicant told;
the carrier's statuses are followed; uncollected results are reminded and archived."""
from __future__ import annotations

import logging
from datetime import datetime

from nameko.timer import timer

from hall.domain import collection
from hall.domain.clock import SHANGHAI
from hall.domain.errors import StepOutOfOrder
from hall.domain.issuance import Issuance, documents_for
from hall.domain.shipment import EmsCarrier
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.delivery import places
from services.delivery.config import DeliveryConfig
from services.delivery.repository import DeliveryRepository

log = logging.getLogger(__name__)
CONFIG = DeliveryConfig.from_env()
CARRIER = EmsCarrier()


class DeliveryService:
    name = "delivery"
    store = Store("delivery", DeliveryRepository)

    @case_event_handler("approval", "case_decided")
    def on_case_decided(self, event):
        """Prepare the result: ship it, forward it to the street centre, or queue it here."""
        now = datetime.now(SHANGHAI)
        # the originals handed in at acceptance travel with the decision and go back now
        docs = documents_for(event.data, places.licence_name(event.data.get("item")),
                             places.originals_of(event.data.get("materials")))
        site, place = places.pickup_site(event.site)
        issuance, events = Issuance.prepare(event, now, places.calendar(), docs, site, place, CARRIER)
        self.store.prepare(issuance, [e.to_dict() for e in events])

    @case_event_handler("carrier", "carrier_status")
    def on_carrier_status(self, event):
        """Follow the shipment: delivered issues the result, returned puts it back in the queue."""
        self._retry(event.case_no, lambda i, now: i.follow_carrier(event, now))

    @timer(interval=CONFIG.scan_seconds)
    def scan_uncollected(self):
        """Remind applicants of uncollected results; archive those past the period."""
        now = datetime.now(SHANGHAI)
        policy = CONFIG.policy
        for issuance in self.store.due_for_scan(now, policy.remind_after, policy.archive_after):
            try:
                events = collection.scan(issuance, policy, now)
                if events:
                    self.store.save(issuance, [e.to_dict() for e in events])
            except StepOutOfOrder:  # collected meanwhile: the next scan sees it as it is
                continue
        self.store.resend_recent(CONFIG.resend_window)

    def _retry(self, case_no: str, change, attempts: int = 5) -> None:
        for attempt in range(attempts):
            issuance = self.store.get(case_no)
            events = change(issuance, datetime.now(SHANGHAI))
            if not events:
                return
            try:
                self.store.save(issuance, [e.to_dict() for e in events])
                return
            except StepOutOfOrder:
                if attempt == attempts - 1:
                    raise
