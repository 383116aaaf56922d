"""The gateway's Issuance part (统一出件): the issuance positions, proxies, EMS and the street
centres' hand-overs. It checks who the caller is and passes them on to delivery's desk."""
from __future__ import annotations

import grpc

from hall.domain import identity
from hall.domain.errors import InvalidArgument, StepOutOfOrder
from hall.infra import convert, grpcutil
from hall.v1 import gateway_pb2, issuance_pb2 as pb, issuance_pb2_grpc
from services.gateway.backends import TIMEOUT, Backends

READERS = ("issuer", "clerk", "supervisor", "admin")


class IssuanceGateway(issuance_pb2_grpc.IssuanceServicer):
    def __init__(self, backends: Backends):
        self.b = backends
        self.desk = issuance_pb2_grpc.DeliveryDeskStub(backends.channels["delivery"])

    def _call(self, context, roles: tuple[str, ...], action: str, method, command, request):
        actor = self.b.caller(context)
        identity.require_role(actor, *roles, action=action)
        case_no = getattr(request, "case_no", None)
        if case_no is not None and (not case_no or len(case_no) > 40):
            raise InvalidArgument("case_no is required")
        try:
            return method(command(actor=convert.actor_to_pb(actor), request=request), timeout=TIMEOUT)
        except grpc.RpcError as exc:
            if case_no is None or exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        # delivery has not heard of it: an unknown case, or one not decided yet?
        self.b.intake.GetCase(gateway_pb2.GetCaseRequest(case_no=case_no), timeout=TIMEOUT)
        raise StepOutOfOrder(f"case {case_no} is not yet decided, so no result is ready")

    @grpcutil.unary("gateway")
    def GetIssuance(self, request, context):
        """Where a case's result is and everything done with it."""
        return self._call(context, READERS, "reading issuances", self.desk.Get, pb.IssuanceCommand, request)

    @grpcutil.unary("gateway")
    def ListPickupQueue(self, request, context):
        """Results waiting at the caller's site (or the site asked for, for supervision)."""
        actor = self.b.caller(context)
        if request.site and request.site != actor.site and actor.role not in ("supervisor", "admin"):
            raise InvalidArgument(f"you may list only the queue of your own site {actor.site}")
        return self._call(context, READERS, "reading the pickup queue", self.desk.Queue, pb.QueueCommand, request)

    @grpcutil.unary("gateway")
    def RecordProxy(self, request, context):
        """Record a proxy's authorization letter (授权委托书)."""
        return self._call(context, ("issuer", "clerk"), "recording a proxy authorization",
                          self.desk.RecordProxy, pb.ProxyCommand, request)

    @grpcutil.unary("gateway")
    def Collect(self, request, context):
        """Hand a result over at an issuance position, with a signed receipt."""
        return self._call(context, ("issuer",), "issuing a result", self.desk.Collect, pb.CollectCommand, request)

    @grpcutil.unary("gateway")
    def ChooseCourier(self, request, context):
        """Send a waiting result by EMS."""
        return self._call(context, ("issuer", "clerk"), "choosing courier delivery",
                          self.desk.ChooseCourier, pb.CourierCommand, request)

    @grpcutil.unary("gateway")
    def ReceiveHandover(self, request, context):
        """The street centre signs for a result forwarded to it."""
        return self._call(context, ("issuer",), "receiving a hand-over", self.desk.ReceiveHandover,
                          pb.HandoverCommand, request)
