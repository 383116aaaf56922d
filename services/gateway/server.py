"""The gateway: the one gRPC entrance for front ends. It checks the caller's signed token,
enforces who may see and do what, and calls the services that own the data."""
from __future__ import annotations

import grpc

from hall.domain import identity
from hall.domain.errors import InvalidArgument, PermissionDenied, StepOutOfOrder
from hall.infra import convert, grpcutil, tokens
from hall.runtime import process
from hall.v1 import gateway_pb2, gateway_pb2_grpc, internal_pb2, internal_pb2_grpc

TIMEOUT = 10.0


class Gateway(gateway_pb2_grpc.HallGatewayServicer):
    def __init__(self, settings):
        self.secret = settings.token_secret
        ch = {name: grpcutil.channel(settings.address(f"{name}-api"))
              for name in ("intake", "approval", "delivery", "sla")}
        self.intake = internal_pb2_grpc.IntakeStub(ch["intake"])
        self.approval = internal_pb2_grpc.ApprovalStub(ch["approval"])
        self.delivery = internal_pb2_grpc.DeliveryStub(ch["delivery"])
        self.tracking = internal_pb2_grpc.TrackingStub(ch["sla"])

    def _actor(self, context) -> identity.Actor:
        auth = dict(context.invocation_metadata()).get("authorization", "")
        if not auth.startswith("Bearer "):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "sign in: no staff token was sent")
        try:
            return tokens.verify(auth[7:], self.secret)
        except tokens.InvalidToken as exc:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, str(exc))

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
        department = request.department or actor.department
        if actor.role in ("reviewer", "chief"):
            if department != actor.department:
                raise PermissionDenied(f"you may read only your own department's worklist ({actor.department})")
        else:
            identity.require_role(actor, "supervisor", "admin", action="reading a worklist")
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


def main() -> None:
    s = process.start("gateway")
    if not s.token_secret:
        raise SystemExit("HALL_TOKEN_SECRET is not set; the gateway cannot check tokens")
    server, _ = grpcutil.make_server(
        s.grpc_port("gateway"),
        lambda srv: gateway_pb2_grpc.add_HallGatewayServicer_to_server(Gateway(s), srv),
        ["hall.v1.HallGateway"], workers=32)
    process.wait_for_signal()
    server.stop(grace=5).wait()
