"""Routing (按责转办), the event half: sends each accepted case to its responsible department(s),
holds the ones nobody is responsible for, and routes a held case once the supervisor dispatches
it. The reference data comes from routing-api through the Catalogue dependency."""
from __future__ import annotations

from hall.domain.ports import UnitOfWork
from hall.infra.nameko_catalogue import Catalogue
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.routing import handlers
from services.routing.repository import MongoRouteRepository


class RoutingService:
    name = "routing"
    store = Store("routing", MongoRouteRepository)
    catalogue = Catalogue("routing")

    def _work(self) -> UnitOfWork:
        return UnitOfWork(self.store, self.store.outbox, self.catalogue)

    @case_event_handler("intake", "case_accepted")
    def on_case_accepted(self, event):
        """Route an accepted case by the item's responsibility; hold it if nobody is responsible."""
        handlers.route_case(self._work(), event)

    @case_event_handler("approval", "case_dispatched")
    def on_case_dispatched(self, event):
        """A held case the supervision office sent to departments: route it there, once."""
        handlers.route_dispatched_case(self._work(), event)
