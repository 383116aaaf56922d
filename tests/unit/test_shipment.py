"""Courier delivery: the delivery area and tariff, waybill numbers, and following the carrier."""
from datetime import datetime, timedelta

import pytest

from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, InvalidArgument, StepOutOfOrder
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM, Actor
from hall.domain.issuance import Issuance
from hall.domain.pickup import collect
from hall.catalogue import load_catalogue
from hall.domain.shipment import DeliveryArea, EmsCarrier, waybill_number, waybill_valid
from hall.domain.workdays import WorkCalendar

APPLICANT = {"kind": "person", "name": "王伟", "id_number": "37010219800101001X", "phone": "13800000001"}
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
HOME = "山东省济南市历下区文化东路12号3单元"
AREA = load_catalogue().delivery_area  # reference/courier.yaml


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.load()


def courier_case(cal, address=HOME, site="LX00", pickup_site="LX00"):
    event = new_event("case_decided", f"{site}-20260302-00002", site, NOW, SYSTEM.to_dict(),
                      {"outcome": "approved", "applicant": APPLICANT, "delivery": "courier", "address": address})
    return Issuance.prepare(event, NOW, cal, ["准予行政许可决定书"], pickup_site, "出件区", EmsCarrier(AREA),
                            code=lambda: "424242")


def status(issuance, st, note="", waybill=None):
    data = {"waybill": waybill or issuance.shipment["waybill"], "status": st, "location": "济南",
            "note": note, "at": NOW.isoformat()}
    return new_event("carrier_status", issuance.case_no, issuance.site, NOW, SYSTEM.to_dict(), data,
                     caused_by=f"{data['waybill']}/{st}")


@pytest.mark.parametrize("address, zone, fee", [
    ("济南市历下区泉城路180号", "local", 0),
    ("山东省 济南市 槐荫区 经十路 22799号", "city", 1000),
    ("济南市章丘区明水街道汇泉路1号", "suburb", 1500),
])
def test_addresses_in_jinan_are_priced_by_zone(address, zone, fee):
    quote = AREA.quote(address)
    assert (quote.zone, quote.fee_fen) == (zone, fee)


@pytest.mark.parametrize("address, message", [
    ("山东省青岛市市南区香港中路10号", "outside the delivery area"),
    ("北京市东城区东长安街1号院", "outside the delivery area"),
    ("济南市高新区舜华路1号", "names no district"),
    ("山东省济南市历下区经十", "lacks the street"),
    ("历下区", "8 to 300"),
])
def test_an_address_outside_the_delivery_area_is_refused_with_the_reason(address, message):
    with pytest.raises(InvalidArgument, match=message):
        AREA.quote(address)


def test_the_area_and_tariff_are_the_reference_data_s_so_a_new_tariff_needs_no_code():
    dearer = DeliveryArea({"济南市": {**AREA.tariff["济南市"], "槐荫区": ("city", 1200)}})
    assert EmsCarrier(dearer).book("C1", 1, "济南市槐荫区经十路22799号", {"phone": "13800000001"}).fee_fen == 1200
    assert AREA.quote("济南市槐荫区经十路22799号").fee_fen == 1000


def test_waybill_numbers_are_s10_with_a_check_digit_and_stable_per_booking():
    a = waybill_number("LX00-20260302-00002", 1)
    assert waybill_valid(a) and a == waybill_number("LX00-20260302-00002", 1)
    assert a != waybill_number("LX00-20260302-00002", 2)
    assert not waybill_valid(a[:10] + str((int(a[10]) + 1) % 10) + "CN")


def test_a_courier_case_is_booked_at_preparation_and_issued_on_delivery(cal):
    issuance, events = courier_case(cal)
    assert [e.type for e in events] == ["result_ready", "shipment_created"]
    assert events[1].data["fee_fen"] == 0 and waybill_valid(events[1].data["waybill"])
    assert issuance.status == "shipping" and not issuance.fresh
    for st in ("label_printed", "picked_up", "in_transit"):
        assert [e.type for e in issuance.follow_carrier(status(issuance, st), NOW)] == ["shipment_updated"]
    assert [n.kind for n in issuance.fresh] == ["shipped"]
    events = issuance.follow_carrier(status(issuance, "delivered"), NOW)
    assert [e.type for e in events] == ["shipment_updated", "result_issued"]
    assert events[1].data["via"] == "courier" and issuance.status == "issued"


def test_carrier_statuses_repeated_late_or_for_another_waybill_change_nothing(cal):
    issuance, _ = courier_case(cal)
    issuance.follow_carrier(status(issuance, "in_transit"), NOW)
    before = issuance.to_doc()
    assert issuance.follow_carrier(status(issuance, "in_transit"), NOW) == []
    assert issuance.follow_carrier(status(issuance, "picked_up"), NOW) == []
    assert issuance.follow_carrier(status(issuance, "delivered", waybill="EA000000000CN"), NOW) == []
    assert issuance.to_doc() == before


def test_a_returned_shipment_goes_back_to_the_pickup_queue_with_a_new_code(cal):
    issuance, _ = courier_case(cal)
    events = issuance.follow_carrier(status(issuance, "returned", note="查无此人"), NOW, code=lambda: "515151")
    assert [e.type for e in events] == ["shipment_updated", "result_returned"]
    assert issuance.status == "ready" and issuance.code_matches("515151")
    assert issuance.fresh[-1].kind == "returned" and "查无此人" in issuance.fresh[-1].text
    assert "515151" in issuance.fresh[-1].text
    assert issuance.past_shipments[0]["status"] == "returned" and issuance.shipment is None
    again = issuance.choose_courier(Actor("c1", "clerk", "LX00"), EmsCarrier(AREA), "济南市历城区花园路8号", "", NOW)
    assert again[0].data["attempt"] == 2 and again[0].data["waybill"] != events[1].data["waybill"]


def test_a_courier_case_with_an_address_outside_the_area_waits_for_pickup_and_the_applicant_is_told(cal):
    issuance, events = courier_case(cal, address="上海市黄浦区中山东一路1号")
    assert [e.type for e in events] == ["result_ready"]
    assert issuance.status == "ready" and issuance.delivery == "pickup"
    assert issuance.fresh[0].kind == "not_shippable" and "424242" in issuance.fresh[0].text
    assert any(h["action"] == "ship" and "outside the delivery area" in h["note"] for h in issuance.history)


def test_a_returned_street_case_travels_back_to_its_street_centre(cal):
    issuance, _ = courier_case(cal, site="LX05", pickup_site="LX05")
    events = issuance.follow_carrier(status(issuance, "returned", note="拒收"), NOW)
    assert [e.type for e in events] == ["shipment_updated", "result_returned", "result_forwarded"]
    issuance.receive_handover(Actor("i5", "issuer", "LX05"), NOW + timedelta(hours=1))
    assert issuance.fresh[-1].kind == "returned" and issuance.status == "ready"


def test_courier_chosen_later_is_refused_once_issued_or_while_shipping(cal):
    issuance, _ = courier_case(cal)
    clerk = Actor("c1", "clerk", "LX00")
    with pytest.raises(StepOutOfOrder, match="sent by EMS"):
        issuance.choose_courier(clerk, EmsCarrier(AREA), HOME, "", NOW)
    issuance.follow_carrier(status(issuance, "delivered"), NOW)
    with pytest.raises(AlreadyDone, match="issued once only"):
        issuance.choose_courier(clerk, EmsCarrier(AREA), HOME, "", NOW)
    with pytest.raises(AlreadyDone):
        collect(issuance, Actor("i", "issuer", "LX00"), "424242", APPLICANT["id_number"], "LX00-I01",
                "paper", NOW, ("LX00-I01",))


def test_courier_to_an_outside_address_chosen_later_is_refused_and_changes_nothing(cal):
    issuance, _ = courier_case(cal, address="")
    before = issuance.to_doc()
    with pytest.raises(InvalidArgument, match="outside the delivery area"):
        issuance.choose_courier(Actor("c1", "clerk", "LX00"), EmsCarrier(AREA), "天津市和平区南京路1号", "", NOW)
    assert issuance.to_doc() == before
