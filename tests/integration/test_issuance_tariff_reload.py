"""The EMS area and tariff are reference data (reference/courier.yaml): the administrator
changes the tariff, reloads the catalogue, and the next shipment is quoted the new fee by the
running delivery processes, with no restart."""
from __future__ import annotations

import random
import shutil

import yaml

from hall.catalogue import DEFAULT_ROOT
from hall.tools.sample import person
from hall.v1 import catalogue_pb2 as cpb, issuance_pb2 as pb
from tests.integration.conftest import FAST_CARRIER
from tests.integration.hallfixture import eventually
from tests.integration.test_catalogue_service import reader
from tests.integration.test_issuance import Desk, decided_case, messages

HUAIYIN = "山东省济南市槐荫区经十路22799号"


def set_fee(root, zone: str, fee_fen: int) -> None:
    path = root / "courier.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(z for z in doc["courier_zones"] if z["zone"] == zone)["fee_fen"] = fee_fen
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def shipment(desk, case_no):
    return eventually(lambda: (v := desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no))).shipment.waybill
                      and v.shipment, "the shipment to be booked")


def test_a_new_tariff_reloaded_quotes_the_next_shipment_without_a_restart(own_hall, tmp_path, items):
    h, item = own_hall, items["single"]
    ref = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, ref)
    h.hall.env.update(FAST_CARRIER, HALL_REFERENCE_DIR=str(ref), HALL_CATALOGUE_REFRESH_SECONDS="0.3")
    h.hall.start_all()
    desk, clerk = Desk(h), Desk(h, role="clerk")

    before = decided_case(h, item, person(random.Random(81)), delivery="courier", address=HUAIYIN)
    assert (shipment(desk, before).zone, shipment(desk, before).fee_fen) == ("city", 1000)

    set_fee(ref, "city", 1234)
    reloaded = reader(h, "admin").ReloadCatalogue(cpb.ReloadCatalogueRequest())
    assert reloaded.changed
    for process in ("delivery-api", "delivery-worker"):  # each follows routing within seconds
        log = h.hall.log_dir / f"{process}.log"
        eventually(lambda: f"catalogue {reloaded.version} in force" in log.read_text(errors="replace"),
                   f"{process} to take the new catalogue", timeout=15)

    at_acceptance = decided_case(h, item, person(random.Random(82)), delivery="courier", address=HUAIYIN)
    assert (shipment(desk, at_acceptance).zone, shipment(desk, at_acceptance).fee_fen) == ("city", 1234)
    later = decided_case(h, item, person(random.Random(83)))
    eventually(lambda: messages(h, later, "pickup_code"), "the pickup code message")
    view = clerk.ChooseCourier(pb.ChooseCourierRequest(case_no=later, address=HUAIYIN))
    assert (view.shipment.zone, view.shipment.fee_fen) == ("city", 1234)
    assert desk.GetIssuance(pb.GetIssuanceRequest(case_no=before)).shipment.fee_fen == 1000
