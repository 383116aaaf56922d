"""Delivery (统一出件), event half (delivery-worker): a decided case's result is prepared and the
applicant told; the carrier's statuses are followed; uncollected results are reminded and
archived. Each entrypoint hands its event to a handler (services/delivery/handlers.py)."""
from __future__ import annotations

from nameko.timer import timer

from hall.domain.ports import UnitOfWork
from hall.infra.nameko_catalogue import Catalogue
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.delivery import config, handlers
from services.delivery.repository import MongoIssuanceRepository


class DeliveryService:
    name = "delivery"
    store = Store("delivery", MongoIssuanceRepository)
    catalogue = Catalogue("delivery")

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.store, self.store.outbox, self.catalogue)

    @case_event_handler("approval", "case_decided")
    def on_case_decided(self, event):
        """Prepare the result: ship it, forward it to the street centre, or queue it here."""
        handlers.prepare_result(self._uow(), event)

    @case_event_handler("delivery", "result_issued")
    def on_result_issued(self, event):
        """A result forwarded to a street centre with a node of its own was handed over there."""
        handlers.note_issued_at_centre(self._uow(), event)

    @case_event_handler("carrier", "carrier_status")
    def on_carrier_status(self, event):
        """Follow the shipment: delivered issues the result, returned puts it back in the queue."""
        handlers.follow_carrier(self._uow(), event)

    @timer(interval=config.load().scan_seconds)
    def scan_uncollected(self):
        """Remind applicants of uncollected results; archive those past the period."""
        settings = config.load()
        handlers.scan_uncollected(self._uow(), settings.policy, settings.resend_window)


class StreetDeliveryService(DeliveryService):
    """A street centre's node (HALL_ROLE=street): results the district forwards to this site
    come down its link (hall/runtime/broker_node.py) and wait at its issuance position."""
    site = config.street_site()

    @case_event_handler("district", "result_forwarded")
    def on_result_forwarded(self, event):
        """Store a result forwarded to this centre once; its issuer signs for it on arrival."""
        handlers.receive_forwarded(self._uow(), event, self.site)
