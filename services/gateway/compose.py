"""The few gateway calls that need more than one service, or a word of their own."""
from __future__ import annotations

import grpc

from hall.domain.errors import InvalidArgument, StepOutOfOrder
from hall.domain.joint import RPC_STEPS
from hall.infra import audit as audit_infra, grpcutil, settings
from hall.runtime import secrets
from hall.v1 import audit_pb2, common_pb2, gateway_pb2
from services.gateway.forward import NotHere, message_class

GET_CASE = "/hall.v1.HallGateway/GetCase"


def get_case(fw, descriptor):
    """A case with its history and clocks: intake's case as accepted (with the applicant)
    and the SLA's case as tracked since; each service checks that the caller may see it."""
    @grpcutil.unary("gateway")
    def GetCase(_, request, context):
        accepted = fw.call("intake-api", GET_CASE, request, context, common_pb2.CaseView)
        try:
            view = fw.call("sla-api", GET_CASE, request, context, common_pb2.CaseView)
        except NotHere:
            return accepted  # a street node: the case as accepted here; its progress is the district's
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return accepted  # the SLA service has not heard of it yet: it was just accepted
        view.applicant.CopyFrom(accepted.applicant)
        return view
    return _handler(GetCase, descriptor)


def not_yet(step: str):
    """A call whose owner has not heard of the case yet: a missing case, or a step too early?
    Intake knows every case; it answers NOT_FOUND for one the caller may not see."""
    def make(fw, descriptor):
        full = f"/{descriptor.containing_service.full_name}/{descriptor.name}"
        process = fw.owner(descriptor.containing_service.full_name, descriptor.name)
        response_class = message_class(descriptor.output_type)

        @grpcutil.unary("gateway")
        def call(_, request, context):
            try:
                return fw.call(process, full, request, context, response_class)
            except grpc.RpcError as exc:
                if exc.code() != grpc.StatusCode.NOT_FOUND or not request.case_no:
                    raise
            fw.call("intake-api", GET_CASE, gateway_pb2.GetCaseRequest(case_no=request.case_no),
                    context, common_pb2.CaseView)
            raise StepOutOfOrder(f"case {request.case_no} is not yet {step}")
        call.__name__ = descriptor.name
        return _handler(call, descriptor)
    return make


def sign_in(fw, descriptor):
    """Staff and client systems (kiosks, the portal) sign in here; the hall's own processes
    sign in at the staff service only."""
    @grpcutil.unary("gateway")
    def SignIn(_, request, context):
        if request.staff_id in {f"svc-{a}" for a in secrets.ACCOUNTS}:
            raise InvalidArgument("the hall's own service accounts do not sign in through the gateway")
        return fw.call("staff-api", "/hall.v1.Staff/SignIn", request, context,
                       message_class(descriptor.output_type))
    return _handler(SignIn, descriptor)


LIST_CASE_ACCESS = "/hall.v1.Audit/ListCaseAccess"


def list_case_access(fw, descriptor):
    """Who read or changed a case: every service answers from its own chain (and the gateway
    adds the calls its gate refused); merged in time order."""
    processes = [f"{service}-api" for service in settings.SERVICES]

    @grpcutil.unary("gateway")
    def ListCaseAccess(_, request, context):
        case_no, limit = audit_infra.case_query(request)
        entries = [audit_infra.entry_pb(e) for e in fw.audit_trail.for_case(case_no, limit)] \
            if getattr(fw, "audit_trail", None) else []
        for process in processes:
            entries += fw.call(process, LIST_CASE_ACCESS, request, context,
                               audit_pb2.ListCaseAccessResponse).entries
        entries.sort(key=lambda e: (e.at, e.service, e.seq))
        return audit_pb2.ListCaseAccessResponse(entries=entries[:limit])
    return _handler(ListCaseAccess, descriptor)


def _handler(fn, descriptor) -> grpc.RpcMethodHandler:
    """A decoded handler around fn(_, request, context) (grpcutil.unary's servicer shape)."""
    req, resp = message_class(descriptor.input_type), message_class(descriptor.output_type)
    return grpc.unary_unary_rpc_method_handler(
        lambda request, context: fn(None, request, context), request_deserializer=req.FromString, response_serializer=resp.SerializeToString)


DECIDED = "decided, so no result is ready"
ROUTED = "routed to a department"
COMPOSED = {
    **{f"/hall.v1.BackOffice/{m}": not_yet(ROUTED) for m in (*RPC_STEPS, "GetReview")},
    GET_CASE: get_case,
    "/hall.v1.HallGateway/RecordDecision": not_yet(ROUTED),
    "/hall.v1.HallGateway/RecordPickup": not_yet(DECIDED),
    **{f"/hall.v1.Issuance/{m}": not_yet(DECIDED)
       for m in ("GetIssuance", "RecordProxy", "Collect", "ChooseCourier", "ReceiveHandover")},
    "/hall.v1.Staff/SignIn": sign_in,
    LIST_CASE_ACCESS: list_case_access,
}
