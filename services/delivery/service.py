"""Delivery (统一出件), event half: a decided case's result is prepared and the applicant told."""
from __future__ import annotations

from datetime import datetime

from hall.domain.clock import SHANGHAI
from hall.domain.issuance import Issuance
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.delivery.repository import DeliveryRepository


def pickup_notice(issuance: Issuance, code: str, now: datetime) -> dict:
    """The text message the applicant gets (recorded: no SMS gateway is reachable here)."""
    return {"to": issuance.applicant.get("phone", ""), "at": now.isoformat(), "kind": "pickup_code",
            "code": code,
            "text": f"【历下区政务服务中心】您的办件 {issuance.case_no} 已办结，请凭取件码 {code} "
                    f"及本人证件到统一出件区领取。"}


class DeliveryService:
    name = "delivery"
    store = Store("delivery", DeliveryRepository)

    @case_event_handler("approval", "case_decided")
    def on_case_decided(self, event):
        """Prepare the result and send the applicant a pickup code."""
        now = datetime.now(SHANGHAI)
        issuance, ready, code = Issuance.prepare(event, now)
        self.store.prepare(issuance, [ready.to_dict()], pickup_notice(issuance, code, now))
