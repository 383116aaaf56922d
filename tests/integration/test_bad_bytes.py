"""Bytes that are no message, and inputs far over any limit, get a clear INVALID_ARGUMENT —
on the gateway and on a service's own port — and leave no traceback in the logs."""
from __future__ import annotations

import grpc

from hall.client import GatewayClient
from hall.tools.sample import person


def call_raw(address: str, method: str, body: bytes, token: str):
    with grpc.insecure_channel(address) as ch:
        try:
            ch.unary_unary(method)(body, metadata=(("authorization", f"Bearer {token}"),), timeout=10)
        except grpc.RpcError as exc:
            return exc.code(), exc.details()
    return grpc.StatusCode.OK, ""


def tracebacks(hall) -> int:
    return sum(p.read_text(errors="replace").count("Traceback") for p in hall.hall.log_dir.glob("*.log"))


def test_undecodable_bytes_are_invalid_argument_without_a_traceback(hall):
    clerk = hall.client("clerk")
    before = tracebacks(hall)
    for address in (hall.address, hall.settings.address("intake-api")):
        code, details = call_raw(address, "/hall.v1.HallGateway/AcceptApplication", b"\xff\xff\xff\xff", clerk.token)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and "not a valid AcceptApplication message" in details
    assert tracebacks(hall) == before


def test_an_oversized_input_is_answered_briefly_not_with_a_broken_stream(hall, items):
    clerk: GatewayClient = hall.client("clerk")
    try:
        clerk.accept("X" * 20000, person())
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT and len(exc.details()) <= 500
    else:
        raise AssertionError("a 20,000-character item code was accepted")


def test_an_undefined_enum_value_is_a_bad_request_not_an_internal_error(hall, items):
    from hall.v1 import common_pb2, gateway_pb2
    clerk = hall.client("clerk")
    request = gateway_pb2.AcceptApplicationRequest(idempotency_key="enum-7", item_code=items["single"].code,
                                                   applicant=common_pb2.Applicant(kind=1, name="张三"))
    raw = request.SerializeToString() + b"\x28\x07"  # field 5 (delivery) = 7, which the proto does not define
    code, details = call_raw(hall.address, "/hall.v1.HallGateway/AcceptApplication", raw, clerk.token)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "delivery" in details


def test_a_department_is_a_code_of_the_catalogue_never_a_field_path(hall):
    supervisor = hall.client("supervisor")
    for department in ("$gt", "a.b", "SYJ\x00", "children"):
        try:
            supervisor.worklist(department=department)
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT, exc.details()
            assert "unknown department" in exc.details() or "control characters" in exc.details()
        else:
            raise AssertionError(f"department {department!r} was used in a query")
