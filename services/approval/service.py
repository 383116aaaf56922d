"""Approval (后台分类审批), event half: routed cases land on their departments' worklists,
held cases on the supervision office's list, and the applicant's supplement resumes a review."""
from __future__ import annotations

from hall.domain.ports import UnitOfWork
from hall.infra.nameko_catalogue import Catalogue
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.approval import handlers
from services.approval.repository import MongoReviewRepository


class ApprovalService:
    name = "approval"
    store = Store("approval", MongoReviewRepository)
    catalogue = Catalogue("approval")

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.store, self.store.outbox, self.catalogue, self.catalogue.current.calendar)

    @case_event_handler("routing", "case_routed")
    def on_case_routed(self, event):
        """Open the review of a routed case, once."""
        handlers.open_review(self.uow(), event)

    @case_event_handler("routing", "case_held")
    def on_case_held(self, event):
        """Nobody is responsible: keep the case on the held list until the supervisor sends it on."""
        handlers.hold_case(self.uow(), event)

    @case_event_handler("intake", "supplement_submitted")
    def on_supplement_submitted(self, event):
        """The applicant's corrected materials arrived: the waiting review resumes, its pause ends."""
        handlers.resume_review(self.uow(), event)
