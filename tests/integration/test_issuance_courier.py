"""物流寄送 through real processes: delivery books EMS, the simulated carrier (carrier-sim) reports
each step over the bus, delivery follows it; a returned shipment goes back to the pickup queue."""
from __future__ import annotations

import random

import grpc

from hall.tools.sample import person
from hall.v1 import issuance_pb2 as pb
from tests.integration.hallfixture import eventually
from tests.integration.test_issuance import SIGNATURE, Desk, decided_case, messages, refused

HOME = "山东省济南市历下区文化东路12号3单元501"


def issuance(desk, case_no):
    return desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no))


def test_a_courier_result_is_booked_followed_step_by_step_and_closes_the_case_when_delivered(hall, items):
    applicant = person(random.Random(71))
    case_no = decided_case(hall, items["single"], applicant, delivery="courier", address=HOME)
    desk = Desk(hall)
    view = eventually(lambda: (v := issuance(desk, case_no)).status == "issued" and v, "delivery by EMS")
    s = view.shipment
    assert (s.status, s.zone, s.fee_fen, s.attempt) == ("delivered", "local", 0, 1)
    assert s.waybill.startswith("EA") and s.waybill.endswith("CN")
    assert [t.status for t in s.track] == ["label_printed", "picked_up", "in_transit", "delivered"]
    assert [m["kind"] for m in messages(hall, case_no)] == ["shipped"]
    booked = hall.db("carrier").shipments.find_one({"_id": s.waybill})
    assert booked["case_no"] == case_no and booked["next"] == 4
    closed = eventually(lambda: (v := hall.client("clerk").case(case_no)).status == "closed" and v, "closing")
    issued = next(h for h in closed.history if h.event_type == "result_issued")
    assert '"via": "courier"' in issued.detail_json and s.waybill in issued.detail_json


def test_a_returned_shipment_goes_back_to_the_pickup_queue_and_the_applicant_gets_a_code(hall, items):
    applicant = person(random.Random(72))
    case_no = decided_case(hall, items["single"], applicant, delivery="courier",
                           address="济南市历下区和平路999号（查无此人）")
    desk = Desk(hall)
    view = eventually(lambda: (v := issuance(desk, case_no)).status == "ready" and v.past_shipments and v,
                      "the shipment to come back")
    assert view.past_shipments[0].status == "returned" and not view.shipment.waybill
    assert view.past_shipments[0].track[-1].note == "查无此人"
    assert case_no in [e.case_no for e in desk.ListPickupQueue(pb.ListPickupQueueRequest()).entries]
    sms = eventually(lambda: messages(hall, case_no, "returned"), "the return notice")[0]
    assert "查无此人" in sms["text"] and sms["code"] in sms["text"]
    receipt = desk.Collect(pb.CollectRequest(case_no=case_no, pickup_code=sms["code"], position="LX00-I04",
                                             id_number=applicant["id_number"], signature=SIGNATURE))
    assert receipt.receipt_no


def test_courier_chosen_later_refuses_an_address_outside_the_area_and_ships_to_one_inside(hall, items):
    applicant = person(random.Random(73))
    case_no = decided_case(hall, items["single"], applicant)
    eventually(lambda: messages(hall, case_no, "pickup_code"), "the pickup code message")
    clerk = Desk(hall, role="clerk")
    refused(lambda: clerk.ChooseCourier(pb.ChooseCourierRequest(case_no=case_no, address="上海市黄浦区中山东一路1号")),
            grpc.StatusCode.INVALID_ARGUMENT, "outside the delivery area")
    view = issuance(clerk, case_no)
    assert view.status == "ready" and any(e.action == "refused:choose_courier" and e.actor.role == "clerk"
                                          for e in view.log)
    view = clerk.ChooseCourier(pb.ChooseCourierRequest(case_no=case_no, address="济南市槐荫区经十路22799号"))
    assert (view.status, view.shipment.zone, view.shipment.fee_fen) == ("shipping", "city", 1000)
    refused(lambda: Desk(hall).Collect(pb.CollectRequest(
        case_no=case_no, pickup_code="000000", id_number=applicant["id_number"], position="LX00-I01",
        signature=SIGNATURE)), grpc.StatusCode.FAILED_PRECONDITION, "sent by EMS")
    eventually(lambda: issuance(clerk, case_no).status == "issued", "delivery by EMS")


def test_a_courier_address_outside_the_area_at_acceptance_leaves_the_result_for_pickup(hall, items):
    applicant = person(random.Random(74))
    case_no = decided_case(hall, items["single"], applicant, delivery="courier", address="北京市东城区东长安街1号")
    [sms] = eventually(lambda: messages(hall, case_no, "not_shippable"), "the notice that it cannot be sent")
    assert "济南市" in sms["text"] and sms["code"] in sms["text"]
    view = issuance(Desk(hall), case_no)
    assert view.status == "ready" and not view.shipment.waybill
    assert any(e.action == "ship" and "outside the delivery area" in e.note for e in view.log)
