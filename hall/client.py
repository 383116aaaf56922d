"""A small Python client of the gateway, for scripts, the demo, the tests and the benchmark."""
from __future__ import annotations

import uuid

import grpc

from hall.domain.identity import Actor
from hall.v1 import common_pb2, gateway_pb2, gateway_pb2_grpc, staff_pb2, staff_pb2_grpc


def sign_in(channel: grpc.Channel, staff_id: str, password: str, totp_code: str = "",
            role: str = "") -> staff_pb2.SignInResponse:
    """Sign in at the gateway (hall.v1.Staff/SignIn): the access token for this shift."""
    return staff_pb2_grpc.StaffStub(channel).SignIn(staff_pb2.SignInRequest(
        staff_id=staff_id, password=password, totp_code=totp_code, role=role), timeout=10)


class GatewayClient:
    """Calls the gateway as one signed-in member of staff."""

    def __init__(self, address: str, token: str, actor: Actor, channel: grpc.Channel | None = None):
        self.channel = channel or grpc.insecure_channel(address)
        self.stub = gateway_pb2_grpc.HallGatewayStub(self.channel)
        self.actor, self.token = actor, token
        self.metadata = (("authorization", f"Bearer {token}"),)

    @classmethod
    def signed_in(cls, address: str, staff_id: str, password: str, totp_code: str = "", role: str = "",
                  channel: grpc.Channel | None = None) -> "GatewayClient":
        channel = channel or grpc.insecure_channel(address)
        reply = sign_in(channel, staff_id, password, totp_code, role)
        m = reply.member
        return cls(address, reply.access_token, Actor(m.staff_id, reply.role, m.site, m.department), channel)

    def accept(self, item_code: str, applicant: dict, materials=(), delivery="pickup", address="",
               key: str | None = None, site: str = "") -> gateway_pb2.AcceptApplicationResponse:
        kind = {"person": common_pb2.Applicant.PERSON, "company": common_pb2.Applicant.COMPANY}
        req = gateway_pb2.AcceptApplicationRequest(
            idempotency_key=key or uuid.uuid4().hex, item_code=item_code, site=site,
            applicant=common_pb2.Applicant(kind=kind.get(applicant.get("kind"), 0),
                                           name=applicant.get("name", ""),
                                           id_number=applicant.get("id_number", ""),
                                           legal_representative=applicant.get("legal_representative", ""),
                                           phone=applicant.get("phone", "")),
            materials=[common_pb2.Material(**m) for m in materials],
            delivery={"pickup": common_pb2.PICKUP, "courier": common_pb2.COURIER}[delivery],
            address=address)
        return self.stub.AcceptApplication(req, metadata=self.metadata, timeout=10)

    def case(self, case_no: str) -> common_pb2.CaseView:
        return self.stub.GetCase(gateway_pb2.GetCaseRequest(case_no=case_no),
                                 metadata=self.metadata, timeout=10)

    def worklist(self, department: str = "", limit: int = 50, include_decided=False):
        return self.stub.ListWorklist(gateway_pb2.ListWorklistRequest(
            department=department, limit=limit, include_decided=include_decided),
            metadata=self.metadata, timeout=10).entries

    def decide(self, case_no: str, outcome: str = "approve", reason: str = "", legal_basis: str = "",
               department: str = ""):
        return self.stub.RecordDecision(gateway_pb2.RecordDecisionRequest(
            case_no=case_no, outcome=outcome, reason=reason, legal_basis=legal_basis,
            department=department), metadata=self.metadata, timeout=10)

    def pickup(self, case_no: str, code: str, id_number: str):
        return self.stub.RecordPickup(gateway_pb2.RecordPickupRequest(
            case_no=case_no, pickup_code=code, id_number=id_number), metadata=self.metadata, timeout=10)
