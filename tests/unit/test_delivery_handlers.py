"""Delivery's service layer on the in-memory fakes: results prepared with the reference data in
force (a new tariff quotes new shipments), desk refusals logged, the pickup queue's limits."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from types import MappingProxyType

import pytest

from hall.catalogue import load_catalogue
from hall.domain.clock import SHANGHAI
from hall.domain.errors import InvalidArgument, PermissionDenied, Refused
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM, Actor
from hall.domain.ports import UnitOfWork
from services.delivery import handlers
from tests.unit.fakes import FixedCatalogue, InMemoryIssuanceRepository, MemoryOutbox

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
CAT = load_catalogue()
APPLICANT = {"kind": "person", "name": "王伟", "id_number": "370102198001010015", "phone": "13800000001"}
ISSUER, CLERK = Actor("LX00-F01", "issuer", "LX00"), Actor("LX00-C01", "clerk", "LX00")


def uow(cat=CAT) -> UnitOfWork:
    outbox = MemoryOutbox()
    return UnitOfWork(InMemoryIssuanceRepository(outbox), outbox, FixedCatalogue(cat), clock=lambda: NOW)


def decided(n=1, site="LX00", **data):
    return new_event("case_decided", f"{site}-20260302-{n:05d}", site, NOW, SYSTEM.to_dict(),
                     {"outcome": "approved", "applicant": APPLICANT, "delivery": "pickup", **data})


def dearer(cat, zone: str, fee_fen: int):
    zones = {k: dataclasses.replace(z, fee_fen=fee_fen) if k == zone else z for k, z in cat.courier_zones.items()}
    return dataclasses.replace(cat, courier_zones=MappingProxyType(zones))


def test_a_result_is_prepared_once_at_the_hall_with_the_pickup_code_sent():
    w = uow()
    assert handlers.prepare_result(w, decided()) and not handlers.prepare_result(w, decided())
    shown = handlers.get_issuance(w, "LX00-20260302-00001")
    assert (shown.issuance.status, shown.issuance.pickup_place, shown.notices_sent) == ("ready", "历下区政务服务中心统一出件区", 1)
    assert [e["type"] for e in w.outbox.published] == ["result_ready"]


def test_a_courier_result_is_quoted_the_tariff_of_the_catalogue_in_force():
    address = "济南市槐荫区经十路22799号"
    w = uow()
    handlers.prepare_result(w, decided(1, delivery="courier", address=address))
    w.catalogue = FixedCatalogue(dearer(CAT, "city", 1200))  # a reload
    handlers.prepare_result(w, decided(2, delivery="courier", address=address))
    fees = [w.repo.get(f"LX00-20260302-0000{n}").shipment["fee_fen"] for n in (1, 2)]
    assert fees == [1000, 1200]


def test_courier_chosen_later_is_quoted_the_tariff_in_force():
    w = uow(dearer(CAT, "suburb", 1800))
    handlers.prepare_result(w, decided())
    issuance = handlers.choose_courier(w, CLERK, "LX00-20260302-00001", "济南市章丘区明水街道汇泉路1号", "")
    assert (issuance.status, issuance.shipment["zone"], issuance.shipment["fee_fen"]) == ("shipping", "suburb", 1800)


def test_a_refused_request_changes_nothing_and_is_logged_with_actor_and_reason():
    w = uow()
    handlers.prepare_result(w, decided())
    with pytest.raises(InvalidArgument, match="outside the delivery area"):
        handlers.choose_courier(w, CLERK, "LX00-20260302-00001", "上海市黄浦区中山东一路1号", "")
    with pytest.raises(InvalidArgument, match="both required"):
        handlers.collect(w, ISSUER, "LX00-20260302-00001", "", APPLICANT["id_number"], "LX00-I01", "ab" * 32)
    shown = handlers.get_issuance(w, "LX00-20260302-00001")
    assert shown.issuance.status == "ready" and shown.issuance.rev == 0
    assert [(r["action"], r["actor"]["role"]) for r in shown.refusals] == [("choose_courier", "clerk"), ("collect", "issuer")]


def test_a_wrong_pickup_code_is_refused_and_the_attempt_is_stored_so_five_lock_the_code():
    w = uow()
    handlers.prepare_result(w, decided())
    for n in range(1, 6):
        with pytest.raises(PermissionDenied, match="pickup code does not match"):
            handlers.collect(w, ISSUER, "LX00-20260302-00001", "000000", APPLICANT["id_number"], "LX00-I01", "ab" * 32)
        assert handlers.get_issuance(w, "LX00-20260302-00001").issuance.wrong_codes == n
    with pytest.raises(Refused, match="locked"):
        handlers.collect(w, ISSUER, "LX00-20260302-00001", "123456", APPLICANT["id_number"], "LX00-I01", "ab" * 32)
    shown = handlers.get_issuance(w, "LX00-20260302-00001")
    assert shown.issuance.code_locked and shown.issuance.status == "ready"
    assert [n["kind"] for n in shown.issuance.notices] == ["pickup_code", "code_locked"]
    assert shown.notices_sent == 2, "the applicant is told at once that pickup by code is locked"
    assert [r["action"] for r in shown.refusals] == ["collect"] * 6
    unlocked = handlers.unlock_pickup(w, ISSUER, "LX00-20260302-00001", APPLICANT["id_number"], "身份证核验")
    assert not unlocked.code_locked and unlocked.notices[-1]["kind"] == "code_unlocked"
    new_code = unlocked.notices[-1]["code"]
    handlers.collect(w, ISSUER, "LX00-20260302-00001", new_code, APPLICANT["id_number"], "LX00-I01", "ab" * 32)
    assert handlers.get_issuance(w, "LX00-20260302-00001").issuance.status == "issued"


def test_the_issuance_positions_are_the_catalogue_s():
    w = uow()
    handlers.prepare_result(w, decided())
    with pytest.raises(InvalidArgument, match="LX00-I01, LX00-I02, LX00-I03, LX00-I04"):
        handlers.collect(w, ISSUER, "LX00-20260302-00001", "123456", APPLICANT["id_number"], "LX00-W01", "ab" * 32)


def test_the_pickup_queue_is_limited_to_500():
    with pytest.raises(InvalidArgument, match="between 1 and 500"):
        handlers.pickup_queue(uow(), ISSUER, "", 501)
    assert handlers.pickup_queue(uow(), ISSUER, "", 0) == []
