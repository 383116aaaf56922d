"""Delivery's gRPC API: the pipeline's pickup call and the issuance desk."""
from __future__ import annotations

from hall.infra import grpcutil
from hall.infra.bus import Publisher
from hall.infra.metrics import refresh_periodically
from hall.infra.mongo import connect
from hall.infra.outbox import Outbox
from hall.runtime import process
from hall.v1 import internal_pb2_grpc, issuance_pb2_grpc
from services.delivery import places
from services.delivery.desk import DeliveryServicer, Desk, DeskServicer
from services.delivery.repository import DeliveryRepository


def main() -> None:
    s = process.start("delivery-api")
    places.catalogue(), places.calendar()  # refuse to start on invalid reference data
    db = connect(s.mongo_uri)[s.database("delivery")]
    outbox = Outbox(db, Publisher(s.amqp_uri), DeliveryRepository.COLLECTIONS)
    outbox.start()
    desk = Desk(DeliveryRepository(db, outbox))

    def add(server):
        internal_pb2_grpc.add_DeliveryServicer_to_server(DeliveryServicer(desk), server)
        issuance_pb2_grpc.add_DeliveryDeskServicer_to_server(DeskServicer(desk), server)

    server, _ = grpcutil.make_server(s.grpc_port("delivery-api"), add,
                                     ["hall.v1.Delivery", "hall.v1.DeliveryDesk"])
    refresh_periodically("delivery", desk.repo.count_by_status)
    process.wait_for_signal()
    server.stop(grace=5).wait()
    outbox.stop()
