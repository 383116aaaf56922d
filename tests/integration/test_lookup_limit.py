"""No guessing at the public edge: look-ups by verification code are limited per caller and
per minute at the gateway (hall.infra.edge.LookupLimit, identity.LOOKUPS)."""
from __future__ import annotations

import grpc
import pytest

from hall.v1 import backoffice_pb2 as bo, backoffice_pb2_grpc, licences_pb2 as lic


def code_of(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def test_public_lookups_by_verification_code_are_limited_per_caller_and_minute(own_hall):
    h = own_hall
    h.hall.start_all(["routing-api", "approval-api"])
    h.hall.start("gateway", {"HALL_LOOKUPS_PER_MINUTE": "3"})
    h.hall.wait_ready("gateway")
    anyone = backoffice_pb2_grpc.BackOfficeStub(h.channel)
    unknown = bo.VerifyDecisionRequest(verification_code="AAAA-BBBB-CCCC-DDDD")
    for _ in range(3):  # within the limit each look-up is answered: no such document
        assert code_of(lambda: anyone.VerifyDecision(unknown, timeout=10))[0] == grpc.StatusCode.NOT_FOUND
    code, message = code_of(lambda: anyone.VerifyDecision(unknown, timeout=10))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "try again in" in message
    # one budget for every look-up by code of the same caller
    code, _ = code_of(lambda: anyone.VerifyLicence(lic.VerifyLicenceRequest(licence_number="X-1"), timeout=10))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    # a signed-in member of staff is counted on their own, not with the address they share
    reviewer = h.client("reviewer", department="SCJG")
    stub = backoffice_pb2_grpc.BackOfficeStub(reviewer.channel)
    assert code_of(lambda: stub.VerifyDecision(unknown, metadata=reviewer.metadata, timeout=10))[0] \
        == grpc.StatusCode.NOT_FOUND
