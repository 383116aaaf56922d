"""An uncollected result, with the delivery worker's periodic scan set to seconds: the applicant
is reminded, then the result is archived with a record; a notice lost before it was sent is
sent by the next scan."""
from __future__ import annotations

import random
from datetime import datetime

import grpc

from hall.domain.clock import SHANGHAI
from hall.domain.events import new_event
from hall.tools.sample import person
from hall.v1 import issuance_pb2 as pb
from tests.integration.hallfixture import eventually
from tests.integration.helpers import publish_raw
from tests.integration.test_issuance import SIGNATURE, Desk, messages, refused

FAST = {"HALL_DELIVERY_SCAN_SECONDS": "0.3", "HALL_DELIVERY_REMIND_AFTER": "1",
        "HALL_DELIVERY_ARCHIVE_AFTER": "4", "HALL_DELIVERY_RESEND_WINDOW": "60"}


def test_an_uncollected_result_is_reminded_then_archived_and_no_notice_is_lost(own_hall):
    own_hall.hall.env.update(FAST)
    own_hall.hall.start_all(["delivery-api", "delivery-worker", "gateway"])
    applicant = person(random.Random(81))
    case_no = "LX00-20260302-00081"
    chief = {"staff_id": "chief-GTFJ", "role": "chief", "site": "LX00", "department": "GTFJ"}
    decided = new_event("case_decided", case_no, "LX00", datetime.now(SHANGHAI), chief,
                        {"outcome": "approved", "applicant": applicant, "delivery": "pickup", "address": "",
                         "item": {"code": "QR02601000-370102-GTFJ", "licence_type": "BDCQZ"}, "reasons": [],
                         "materials": [{"name": "不动产登记申请书", "form": "original", "count": 1},
                                       {"name": "建设工程符合规划的材料", "form": "copy", "count": 1}]})
    publish_raw(own_hall.settings, "approval", "case_decided", decided.to_dict())

    [sms] = eventually(lambda: messages(own_hall, case_no, "pickup_code"), "the pickup code message")
    own_hall.db("delivery").messages.delete_one({"_id": sms["_id"]})  # as if the process died before sending
    eventually(lambda: messages(own_hall, case_no, "pickup_code"), "the lost notice to be sent again")

    desk = Desk(own_hall)
    view = eventually(lambda: (v := desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no))).status == "archived"
                      and v, "archiving", timeout=30)
    assert view.archive_no == f"DA-{case_no}" and view.reminders >= 2
    assert list(view.documents) == ["准予行政许可决定书", "不动产权证书", "退还原件：不动产登记申请书 ×1"]
    kinds = [m["kind"] for m in messages(own_hall, case_no)]
    assert kinds[0] == "pickup_code" and kinds[-1] == "archived" and kinds.count("reminder") == view.reminders
    actions = [(e.action, e.actor.role) for e in view.log]
    assert ("reminded", "system") in actions and ("archived", "system") in actions
    events = [e["type"] for d in own_hall.db("delivery").issuances.find({"_id": case_no}) for e in d["out"]]
    assert events.count("reminder_sent") == view.reminders and events.count("result_archived") == 1
    refused(lambda: desk.Collect(pb.CollectRequest(case_no=case_no, pickup_code=sms["code"], position="LX00-I01",
                                                   id_number=applicant["id_number"], signature=SIGNATURE)),
            grpc.StatusCode.FAILED_PRECONDITION, "archived")
