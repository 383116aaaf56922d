"""Gateway part hall.v1.FrontDesk: queue numbers, consultation, acceptance with formal review,
documents, online pre-review, paper hand-over and supplements. Each call checks the token and
the caller's role, then goes to intake-api's FrontDeskIntake with the verified caller in the
"hall-actor" metadata (frontdesk.proto); intake applies the finer rules (site, department)."""
from __future__ import annotations

import json

from hall.domain import identity
from hall.infra import grpcutil
from hall.v1 import frontdesk_pb2_grpc
from services.gateway.backends import TIMEOUT, Backends

STAFF = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin")
ROLES = {  # method -> roles that may call it; what for
    "TakeTicket": (("clerk", "system"), "issuing a queue ticket"),
    "CallNext": (("clerk",), "calling tickets"),
    "RecallTicket": (("clerk",), "recalling a ticket"),
    "MarkNoShow": (("clerk",), "marking a no-show"),
    "TransferTicket": (("clerk",), "transferring a ticket"),
    "FinishTicket": (("clerk",), "finishing a ticket"),
    "QueueStatus": (("clerk", "supervisor", "admin", "system"), "reading the queue"),
    "Consult": (("clerk",), "recording a consultation"),
    "GetConsultation": (STAFF, "reading consultations"),
    "SubmitApplication": (("clerk",), "accepting an application"),
    "GetDocument": (STAFF, "reading documents"),
    "SubmitOnline": (("system", "clerk"), "submitting an online application"),
    "ListPrereviews": (("clerk", "supervisor", "admin"), "reading the pre-review queue"),
    "PassPrereview": (("clerk",), "pre-reviewing online applications"),
    "ReturnPrereview": (("clerk",), "pre-reviewing online applications"),
    "ListHandovers": (("reviewer", "chief", "clerk", "supervisor", "admin"), "reading hand-overs"),
    "SignHandover": (("reviewer", "chief"), "signing a hand-over"),
    "ListSupplements": (("clerk", "supervisor", "admin"), "reading the supplement list"),
    "SubmitSupplement": (("clerk",), "receiving supplementary materials"),
}


class FrontDesk(frontdesk_pb2_grpc.FrontDeskServicer):
    """The front desk's calls, passed to intake for the verified caller."""

    def __init__(self, backends: Backends):
        self.b = backends
        self.intake = frontdesk_pb2_grpc.FrontDeskIntakeStub(backends.channels["intake"])


def _forward(name: str, roles: tuple[str, ...], action: str):
    def call(self, request, context):
        actor = self.b.caller(context)
        identity.require_role(actor, *roles, action=action)
        return getattr(self.intake, name)(
            request, metadata=(("hall-actor", json.dumps(actor.to_dict())),), timeout=TIMEOUT)
    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{action[0].upper()}{action[1:]}: for {' / '.join(roles)}."
    return grpcutil.unary("gateway")(call)


for _name, (_roles, _action) in ROLES.items():
    setattr(FrontDesk, _name, _forward(_name, _roles, _action))
