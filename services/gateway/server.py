"""The gateway: the one gRPC entrance for front ends. It checks the caller's signed token,
enforces who may see and do what, and calls the services that own the data."""
from __future__ import annotations

import grpc

from hall.domain import identity
from hall.domain.errors import InvalidArgument, StepOutOfOrder
from hall.infra import convert, grpcutil
from hall.runtime import process
from hall.v1 import catalogue_pb2_grpc, gateway_pb2, gateway_pb2_grpc, internal_pb2
from hall.v1 import issuance_pb2_grpc
from hall.v1 import backoffice_pb2_grpc, frontdesk_pb2_grpc, supervision_pb2_grpc
from services.gateway.back_office import BackOfficeGateway
from services.gateway.backends import TIMEOUT, Backends
from services.gateway.catalogue import CatalogueGateway
from services.gateway.issuance import IssuanceGateway
from services.gateway.supervision import SupervisionGateway
from services.gateway.front_desk import FrontDesk


class Gateway(gateway_pb2_grpc.HallGatewayServicer):
    """The case pipeline's calls: accept, read, worklist, decide, pick up."""

    def __init__(self, backends: Backends):
        self.b = backends
        self.intake, self.approval = backends.intake, backends.approval
        self.delivery, self.tracking = backends.delivery, backends.tracking

    def _actor(self, context) -> identity.Actor:
        return self.b.caller(context)

    @grpcutil.unary("gateway")
    def AcceptApplication(self, request, context):
        """受理 at the caller's site."""
        actor = self._actor(context)
        identity.may_accept(actor, request.site or actor.site)
        return self.intake.Accept(internal_pb2.AcceptCommand(actor=convert.actor_to_pb(actor),
                                                             request=request), timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def GetCase(self, request, context):
        """A case with its history and clocks, if the caller may see it."""
        actor = self._actor(context)
        if not request.case_no or len(request.case_no) > 40:
            raise InvalidArgument("case_no is required")
        accepted = self.intake.GetCase(request, timeout=TIMEOUT)
        try:
            view = self.tracking.Track(request, timeout=TIMEOUT)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            view = accepted  # the SLA service has not seen it yet: it was just accepted
        identity.may_see_case(actor, list(view.departments) if view.status != "accepted"
                              else list(accepted.departments))
        view.applicant.CopyFrom(accepted.applicant)
        return view

    @grpcutil.unary("gateway")
    def ListWorklist(self, request, context):
        """A department's worklist: its own reviewers and chief, or the supervision office."""
        actor = self._actor(context)
        department = identity.worklist_department(actor, request.department)
        request.department = department
        return self.approval.Worklist(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def RecordDecision(self, request, context):
        actor = self._actor(context)
        identity.may_act_for(actor, request.department or actor.department, "deciding")
        return self._or_not_yet(request.case_no, "routed to a department", lambda: self.approval.Decide(
            internal_pb2.DecideCommand(actor=convert.actor_to_pb(actor), request=request), timeout=TIMEOUT))

    @grpcutil.unary("gateway")
    def RecordPickup(self, request, context):
        actor = self._actor(context)
        identity.require_role(actor, "issuer", action="issuing a result")
        return self._or_not_yet(request.case_no, "decided, so no result is ready", lambda: self.delivery.Pickup(
            internal_pb2.PickupCommand(actor=convert.actor_to_pb(actor), request=request), timeout=TIMEOUT))

    def _or_not_yet(self, case_no: str, step: str, call):
        """A service that has not heard of a case: unknown case, or a step taken too early?"""
        try:
            return call()
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        self.intake.GetCase(gateway_pb2.GetCaseRequest(case_no=case_no), timeout=TIMEOUT)  # NOT_FOUND if unknown
        raise StepOutOfOrder(f"case {case_no} is not yet {step}")


# Each part of the public API: (servicer class, function adding it to a server, service name).
# Later parts (front desk, back office, issuance, supervision, catalogue) add a line here.
PARTS = [
    (Gateway, gateway_pb2_grpc.add_HallGatewayServicer_to_server, "hall.v1.HallGateway"),
    (CatalogueGateway, catalogue_pb2_grpc.add_HallCatalogueServicer_to_server, "hall.v1.HallCatalogue"),
    (BackOfficeGateway, backoffice_pb2_grpc.add_BackOfficeServicer_to_server, "hall.v1.BackOffice"),
    (FrontDesk, frontdesk_pb2_grpc.add_FrontDeskServicer_to_server, "hall.v1.FrontDesk"),
    (SupervisionGateway, supervision_pb2_grpc.add_SupervisionServicer_to_server, "hall.v1.Supervision"),
    (IssuanceGateway, issuance_pb2_grpc.add_IssuanceServicer_to_server, "hall.v1.Issuance"),
]


def main() -> None:
    s = process.start("gateway")
    if not s.token_secret:
        raise SystemExit("HALL_TOKEN_SECRET is not set; the gateway cannot check tokens")
    backends = Backends(s)

    def add_all(server):
        for servicer, add, _ in PARTS:
            add(servicer(backends), server)

    server, _ = grpcutil.make_server(s.grpc_port("gateway"), add_all, [name for *_, name in PARTS],
                                     workers=32)
    process.wait_for_signal()
    server.stop(grace=5).wait()
