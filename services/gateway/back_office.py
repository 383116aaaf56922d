"""The gateway's back-office part (hall.v1.BackOffice): department worklists, review steps,
held cases for the supervision office, and verification of decisions and e-licences.

Reviewers and chief representatives act only for their own department (checked here and again
by approval with the reference data's named chiefs). Verifying a decision document or an
e-licence needs no sign-in: anyone holding the paper may check it."""
from __future__ import annotations

from hall.domain import identity
from hall.domain.joint import RPC_STEPS
from hall.domain.errors import InvalidArgument
from hall.infra import convert, grpcutil
from hall.v1 import backoffice_pb2 as bo, backoffice_pb2_grpc, licences_pb2_grpc
from services.gateway.backends import TIMEOUT, Backends


class BackOfficeGateway(backoffice_pb2_grpc.BackOfficeServicer):
    def __init__(self, backends: Backends):
        self.b = backends
        channel = backends.channels["approval"]
        self.desk = backoffice_pb2_grpc.ApprovalDeskStub(channel)
        self.library = licences_pb2_grpc.LicenceLibraryStub(channel)

    @grpcutil.unary("gateway")
    def Worklist(self, request, context):
        """A department's worklist: its own reviewers and chief, or the supervision office."""
        actor = self.b.caller(context)
        department = identity.worklist_department(actor, request.department)
        request.department = department
        return self.desk.Worklist(bo.BackOfficeWorklistCommand(actor=convert.actor_to_pb(actor), request=request),
                                  timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def GetReview(self, request, context):
        """A case's review with every department's steps, if the caller may see the case."""
        actor = self.b.caller(context)
        if not request.case_no or len(request.case_no) > 40:
            raise InvalidArgument("case_no is required")
        request.actor.CopyFrom(convert.actor_to_pb(actor))
        return self.desk.GetReview(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def ListHeld(self, request, context):
        """Held cases (nobody responsible), for the supervision office."""
        identity.require_role(self.b.caller(context), "supervisor", "admin", action="reading the held cases")
        return self.desk.ListHeld(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def DispatchHeld(self, request, context):
        """Send a held case to the departments the supervision office names."""
        actor = self.b.caller(context)
        identity.require_role(actor, "supervisor", "admin", action="sending a held case on")
        return self.desk.DispatchHeld(bo.DispatchHeldCommand(actor=convert.actor_to_pb(actor), request=request),
                                      timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def VerifyDecision(self, request, context):
        """Anyone: is this decision document genuine, unchanged and in force?"""
        if not request.verification_code.strip():
            raise InvalidArgument("verification_code is required")
        return self.desk.VerifyDecision(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def FindLicences(self, request, context):
        """Signed-in staff: a holder's e-licences in the library."""
        self.b.caller(context)
        return self.library.Find(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def VerifyLicence(self, request, context):
        """Anyone: an e-licence by number, with its seal checked."""
        return self.library.Verify(request, timeout=TIMEOUT)


def _step(name: str, action: str):
    def step(self, request, context):
        actor = self.b.caller(context)
        identity.may_act_for(actor, request.department or actor.department, action.replace("_", " "))
        return self.desk.Act(bo.ReviewActionCommand(actor=convert.actor_to_pb(actor), action=action,
                                                    request=request), timeout=TIMEOUT)
    step.__name__ = name
    step.__doc__ = f"Review step {action} for the caller's department (see backoffice.proto)."
    return grpcutil.unary("gateway")(step)


for _name, _action in RPC_STEPS.items():
    setattr(BackOfficeGateway, _name, _step(_name, _action))
