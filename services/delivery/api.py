"""Delivery's gRPC API: handing results over at the issuance windows."""
from __future__ import annotations

from datetime import datetime

from hall.domain.clock import SHANGHAI
from hall.infra import convert, grpcutil
from hall.infra.bus import Publisher
from hall.infra.metrics import refresh_periodically
from hall.infra.mongo import connect
from hall.infra.outbox import Outbox
from hall.runtime import process
from hall.v1 import gateway_pb2, internal_pb2_grpc
from services.delivery.repository import DeliveryRepository


class DeliveryServicer(internal_pb2_grpc.DeliveryServicer):
    def __init__(self, repo: DeliveryRepository):
        self.repo = repo

    @grpcutil.unary("delivery")
    def Pickup(self, request, context):
        """Issue a result once, to the applicant holding the pickup code."""
        actor = convert.actor_from_pb(request.actor)
        r = request.request
        issuance = self.repo.get(r.case_no)
        now = datetime.now(SHANGHAI)
        event = issuance.pick_up(actor, r.pickup_code, r.id_number, now)
        self.repo.save(issuance, [event.to_dict()])
        return gateway_pb2.RecordPickupResponse(case_no=r.case_no, issued_at=now.isoformat(),
                                                status=issuance.status)


def main() -> None:
    s = process.start("delivery-api")
    db = connect(s.mongo_uri)[s.database("delivery")]
    outbox = Outbox(db, Publisher(s.amqp_uri), DeliveryRepository.COLLECTIONS)
    outbox.start()
    repo = DeliveryRepository(db, outbox)
    servicer = DeliveryServicer(repo)
    server, _ = grpcutil.make_server(
        s.grpc_port("delivery-api"),
        lambda srv: internal_pb2_grpc.add_DeliveryServicer_to_server(servicer, srv), ["hall.v1.Delivery"])
    refresh_periodically("delivery", repo.count_by_status)
    process.wait_for_signal()
    server.stop(grace=5).wait()
    outbox.stop()
