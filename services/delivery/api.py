"""Delivery's gRPC API (delivery-api): its part of hall.v1.HallGateway (RecordPickup) and the
issuance desk (hall.v1.Issuance)."""
from __future__ import annotations

from hall.runtime import api, process
from hall.v1 import gateway_pb2_grpc, issuance_pb2_grpc
from services.delivery import places
from services.delivery.desk import DeliveryServicer, Desk, DeskServicer
from services.delivery.repository import DeliveryRepository


def main() -> None:
    s = process.start("delivery-api")
    trusted = api.trust(s, "delivery")
    places.catalogue(), places.calendar()  # refuse to start on invalid reference data
    db, outbox = api.open_store(s, "delivery", DeliveryRepository.COLLECTIONS)
    desk = Desk(DeliveryRepository(db, outbox))
    api.serve(s, "delivery-api", "delivery", [
        (gateway_pb2_grpc.add_HallGatewayServicer_to_server, DeliveryServicer(desk), "hall.v1.HallGateway"),
        (issuance_pb2_grpc.add_IssuanceServicer_to_server, DeskServicer(desk), "hall.v1.Issuance"),
    ], outbox, desk.repo.count_by_status, trusted)
