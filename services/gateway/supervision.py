"""The gateway's supervision part (hall.v1.Supervision): clocks, notices, ratings, statistics.
Who may read what is checked here; who may change a notice or a follow-up is checked by the
SLA service against the record itself."""
from __future__ import annotations

from hall.domain import identity, supervision
from hall.domain.errors import InvalidArgument, PermissionDenied
from hall.infra import convert, grpcutil
from hall.v1 import supervision_pb2 as pb, supervision_pb2_grpc
from services.gateway.backends import TIMEOUT, Backends


class SupervisionGateway(supervision_pb2_grpc.SupervisionServicer):
    def __init__(self, backends: Backends):
        self.b = backends
        self.sla = supervision_pb2_grpc.SlaSupervisionStub(backends.channels["sla"])

    @grpcutil.unary("gateway")
    def GetCaseClock(self, request, context):
        """A case's clocks, if the caller may see the case."""
        actor = self.b.caller(context)
        if not request.case_no or len(request.case_no) > 40:
            raise InvalidArgument("case_no is required")
        clock = self.sla.GetCaseClock(request, timeout=TIMEOUT)
        identity.may_see_case(actor, list(clock.departments))
        return clock

    @grpcutil.unary("gateway")
    def ListCasesAtRisk(self, request, context):
        """A department's cases at risk: its own chief and reviewers, or the supervision office."""
        request.department = supervision.may_read_department(self.b.caller(context), request.department)
        return self.sla.ListCasesAtRisk(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def ListNotices(self, request, context):
        request.department = supervision.may_read_department(self.b.caller(context), request.department)
        return self.sla.ListNotices(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def AcknowledgeNotice(self, request, context):
        actor = self.b.caller(context)
        return self.sla.AcknowledgeNotice(pb.AcknowledgeNoticeCommand(
            actor=convert.actor_to_pb(actor), request=request), timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def RateService(self, request, context):
        """好差评 from the window's evaluation pad (signed in as the window's staff) or online."""
        actor = self.b.caller(context)
        return self.sla.RateService(pb.RateServiceCommand(actor=convert.actor_to_pb(actor), request=request),
                                    timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def ListFollowUps(self, request, context):
        request.department = supervision.may_read_department(self.b.caller(context), request.department)
        return self.sla.ListFollowUps(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def ResolveFollowUp(self, request, context):
        actor = self.b.caller(context)
        return self.sla.ResolveFollowUp(pb.ResolveFollowUpCommand(
            actor=convert.actor_to_pb(actor), request=request), timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def GetStatistics(self, request, context):
        """监督考核: the supervision office sees everything; a chief only their own department."""
        return self.sla.GetStatistics(self._scoped(request, context), timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def ExportStatistics(self, request, context):
        return self.sla.ExportStatistics(self._scoped(request, context), timeout=TIMEOUT)

    def _scoped(self, request, context):
        actor = self.b.caller(context)
        if actor.role == "chief":
            if request.group_by != "department" or request.key not in ("", actor.department):
                raise PermissionDenied("a chief representative sees the figures of their own department only")
            request.key = actor.department
        else:
            identity.require_role(actor, "supervisor", "admin", action="reading the assessment figures")
        return request
