"""Delivery's gRPC API: the pipeline's pickup call and the issuance desk."""
from __future__ import annotations

from hall.runtime import api, process
from hall.v1 import internal_pb2_grpc, issuance_pb2_grpc
from services.delivery import places
from services.delivery.desk import DeliveryServicer, Desk, DeskServicer
from services.delivery.repository import DeliveryRepository


def main() -> None:
    s = process.start("delivery-api")
    places.catalogue(), places.calendar()  # refuse to start on invalid reference data
    db, outbox = api.open_store(s, "delivery", DeliveryRepository.COLLECTIONS)
    desk = Desk(DeliveryRepository(db, outbox))
    api.serve(s, "delivery-api", "delivery", [
        (internal_pb2_grpc.add_DeliveryServicer_to_server, DeliveryServicer(desk), "hall.v1.Delivery"),
        (issuance_pb2_grpc.add_DeliveryDeskServicer_to_server, DeskServicer(desk), "hall.v1.DeliveryDesk"),
    ], outbox, desk.repo.count_by_status)
