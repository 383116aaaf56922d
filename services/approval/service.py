"""Approval (后台分类审批), event half: routed cases land on their departments' worklists,
held cases on the supervision office's list, and the applicant's supplement resumes a review."""
from __future__ import annotations

import logging

from hall.domain import desk
from hall.domain.errors import NotFound
from hall.domain.joint import CaseReview
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.approval.repository import ApprovalRepository

log = logging.getLogger(__name__)


class ApprovalService:
    name = "approval"
    store = Store("approval", ApprovalRepository)

    @case_event_handler("routing", "case_routed")
    def on_case_routed(self, event):
        """Open the review of a routed case, once."""
        self.store.open(CaseReview.from_routed(event))

    @case_event_handler("routing", "case_held")
    def on_case_held(self, event):
        """Nobody is responsible: keep the case on the held list until the supervisor sends it on."""
        self.store.hold(event)

    @case_event_handler("intake", "supplement_submitted")
    def on_supplement_submitted(self, event):
        """The applicant's corrected materials arrived: the waiting review resumes, its pause ends."""
        def resume(review):
            desk.supplement_submitted(review, event)
            return []  # intake's event is the record; the review keeps the step in its history
        try:
            self.store.mutate(event.case_no, resume)
        except NotFound:
            log.info("supplement for %s before any review: acceptance handles it", event.case_no)
