"""Delivery's gRPC API (delivery-api): its part of hall.v1.HallGateway (RecordPickup) and the
issuance desk (hall.v1.Issuance). Each method: decode → handler → encode."""
from __future__ import annotations

from hall.domain.pickup import PAPER
from hall.domain.ports import UnitOfWork
from hall.infra import auth, grpcutil
from hall.infra.catalogue_client import CatalogueClient
from hall.runtime import api, process
from hall.v1 import gateway_pb2_grpc, issuance_pb2 as pb, issuance_pb2_grpc
from services.delivery import handlers, messages
from services.delivery.repository import MongoIssuanceRepository


class PickupServicer(gateway_pb2_grpc.HallGatewayServicer):
    """The pipeline's original pickup call (HallGateway.RecordPickup): a paper receipt."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow

    @grpcutil.unary("delivery")
    def RecordPickup(self, request, context):
        """Issue a result once, to the applicant holding the pickup code."""
        r = request
        issuance = handlers.collect(self.uow, auth.caller(), r.case_no, r.pickup_code, r.id_number, "", PAPER)
        return messages.pickup_response(r.case_no, issuance)


class IssuanceServicer(issuance_pb2_grpc.IssuanceServicer):
    """The issuance desk: pickups, proxies, courier choice, street hand-overs, the pickup queue."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow

    @grpcutil.unary("delivery")
    def GetIssuance(self, request, context):
        """Where a result is and everything done with it."""
        return messages.view(handlers.get_issuance(self.uow, request.case_no))

    @grpcutil.unary("delivery")
    def ListPickupQueue(self, request, context):
        """Results waiting at (or on their way to) a site, most urgent first."""
        queue = handlers.pickup_queue(self.uow, auth.caller(), request.site, request.limit)
        return pb.ListPickupQueueResponse(entries=[messages.view(s) for s in queue])

    @grpcutil.unary("delivery")
    def RecordProxy(self, request, context):
        """Record a proxy's authorization letter for a waiting result."""
        r = request
        issuance = handlers.record_proxy(self.uow, auth.caller(), r.case_no, r.name, r.id_number, r.letter,
                                         r.valid_until)
        return messages.view(handlers.show(self.uow, issuance))

    @grpcutil.unary("delivery")
    def Collect(self, request, context):
        """Hand the result over at an issuance position against a signed receipt."""
        signature = messages.signature(request.signature)
        issuance = handlers.collect(self.uow, auth.caller(), **messages.collect(request), signature=signature)
        return messages.receipt(issuance)

    @grpcutil.unary("delivery")
    def ChooseCourier(self, request, context):
        """Send a waiting result by EMS to an address in the delivery area."""
        r = request
        issuance = handlers.choose_courier(self.uow, auth.caller(), r.case_no, r.address, r.phone)
        return messages.view(handlers.show(self.uow, issuance))

    @grpcutil.unary("delivery")
    def UnlockPickup(self, request, context):
        """Open pickup by code again after the issuer checked the applicant's identity."""
        r = request
        issuance = handlers.unlock_pickup(self.uow, auth.caller(), r.case_no, r.id_number, r.note)
        return messages.view(handlers.show(self.uow, issuance))

    @grpcutil.unary("delivery")
    def ReceiveHandover(self, request, context):
        """The street centre signs for a forwarded result; the applicant gets the pickup code."""
        issuance = handlers.receive_handover(self.uow, auth.caller(), request.case_no)
        return messages.view(handlers.show(self.uow, issuance))


def main() -> None:
    s = process.start("delivery-api")
    trusted = api.trust(s, "delivery")
    catalogue = CatalogueClient(s.address("routing-api"), channel=trusted.channel(s.address("routing-api")))
    catalogue.load()  # the reference data in force, followed from routing-api
    db, outbox = api.open_store(s, "delivery", MongoIssuanceRepository.COLLECTIONS)
    repo = MongoIssuanceRepository(db, outbox)
    uow = UnitOfWork(repo, outbox, catalogue)
    try:
        api.serve(s, "delivery-api", "delivery", [
            (gateway_pb2_grpc.add_HallGatewayServicer_to_server, PickupServicer(uow), "hall.v1.HallGateway"),
            (issuance_pb2_grpc.add_IssuanceServicer_to_server, IssuanceServicer(uow), "hall.v1.Issuance"),
        ], outbox, repo.count_by_status, trusted, catalogue)
    finally:
        catalogue.close()
