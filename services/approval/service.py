"""Approval (后台分类审批), event half: routed cases land on their departments' worklists."""
from __future__ import annotations

from hall.domain.review import Review
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.approval.repository import ApprovalRepository


class ApprovalService:
    name = "approval"
    store = Store("approval", ApprovalRepository)

    @case_event_handler("routing", "case_routed")
    def on_case_routed(self, event):
        """Open the review of a routed case, once."""
        self.store.open(Review.from_routed(event))
