"""Intake (综合受理), event half: a department's request for corrections (补正) puts the case
on the front desk's list of cases waiting for the applicant's materials."""
from __future__ import annotations

from hall.domain.ports import UnitOfWork
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.intake import handlers
from services.intake.repository import MongoIntakeRepository


class IntakeService:
    name = "intake"
    # Same collections as intake-api's outbox: both sweep all of them, since they share the
    # database's sweep checkpoint.
    store = Store("intake", MongoIntakeRepository)

    @case_event_handler("approval", "supplement_requested")
    def on_supplement_requested(self, event):
        """Record the request once; the front desk then sees the case waiting."""
        handlers.note_supplement_request(UnitOfWork(self.store, self.store.outbox), event)
