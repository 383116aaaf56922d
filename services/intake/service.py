"""Intake (综合受理), event half: a department's request for corrections (补正) puts the case
on the front desk's list of cases waiting for the applicant's materials."""
from __future__ import annotations

from hall.domain import supplements
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.intake.repository import IntakeRepository


class IntakeService:
    name = "intake"
    # Same collections as intake-api's outbox: both sweep all of them, since they share the
    # database's sweep checkpoint.
    store = Store("intake", IntakeRepository)

    @case_event_handler("approval", "supplement_requested")
    def on_supplement_requested(self, event):
        """Record the request once; the front desk then sees the case waiting."""
        self.store.add_waiting_supplement(supplements.waiting(event))
