"""Trust, against the running hall: every port checks its caller itself, staff sign in
through the gateway, sessions end when they should, and each service serves the same
service names as the gateway's part for it."""
from __future__ import annotations

import secrets
import time

import grpc
import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from hall.client import GatewayClient, sign_in
from hall.domain.identity import Actor
from hall.infra import tokens
from hall.v1 import gateway_pb2, gateway_pb2_grpc, staff_pb2 as spb, staff_pb2_grpc
from tests.integration.hallfixture import eventually

INTERNAL = ("intake-api", "routing-api", "approval-api", "delivery-api", "sla-api", "staff-api")
PROBE = {  # one call per internal port that needs a token
    "intake-api": "/hall.v1.FrontDesk/QueueStatus",
    "routing-api": "/hall.v1.HallCatalogue/GetCatalogueVersion",
    "approval-api": "/hall.v1.BackOffice/ListHeld",
    "delivery-api": "/hall.v1.Issuance/ListPickupQueue",
    "sla-api": "/hall.v1.Supervision/ListNotices",
    "staff-api": "/hall.v1.Staff/WhoAmI",
}


def code_of(fn):
    try:
        fn()
    except grpc.RpcError as exc:
        return exc.code(), exc.details()
    return grpc.StatusCode.OK, ""


def raw_call(hall, process: str, method: str, token: str | None):
    md = (("authorization", f"Bearer {token}"),) if token is not None else ()
    with grpc.insecure_channel(hall.settings.address(process)) as ch:
        return code_of(lambda: ch.unary_unary(method)(b"", metadata=md, timeout=10))


def signer(hall) -> tokens.Signer:
    return tokens.Signer.from_file(hall.hall.secrets_dir / "signing.key")


def member_token(hall, **kw) -> str:
    """A token signed with the hall's own key, with claims the test chooses."""
    actor = Actor("admin", "admin", "LX00")
    return signer(hall).issue(actor, "test-session", kw.pop("ttl", 600), **kw)


@pytest.mark.parametrize("process", INTERNAL)
def test_every_internal_port_refuses_a_call_without_a_valid_token(hall, process):
    method = PROBE[process]
    assert raw_call(hall, process, method, None)[0] == grpc.StatusCode.UNAUTHENTICATED
    assert raw_call(hall, process, method, "not.a.token")[0] == grpc.StatusCode.UNAUTHENTICATED
    expired = signer(hall).issue(Actor("admin", "admin", "LX00"), "s", 60, now=int(time.time()) - 3600)
    code, details = raw_call(hall, process, method, expired)
    assert code == grpc.StatusCode.UNAUTHENTICATED and "expired" in details
    other = member_token(hall, audience="provincial-exchange")
    code, details = raw_call(hall, process, method, other)
    assert code == grpc.StatusCode.UNAUTHENTICATED and "audience" in details.lower()
    forged_key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    forged = tokens.Signer(forged_key).issue(Actor("admin", "admin", "LX00"), "s", 600)
    assert raw_call(hall, process, method, forged)[0] == grpc.StatusCode.UNAUTHENTICATED


def test_a_valid_token_is_accepted_on_an_internal_port(hall):
    code, _ = raw_call(hall, "approval-api", PROBE["approval-api"], member_token(hall))
    assert code == grpc.StatusCode.OK


def test_the_gateway_refuses_a_token_from_another_key(hall):
    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    forged = tokens.Signer(key).issue(Actor("x", "admin", "LX00"), "s", 600)
    client = GatewayClient(hall.address, forged, Actor("x", "admin", "LX00"))
    code, _ = code_of(lambda: client.case("LX00-20260101-00001"))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    stub = gateway_pb2_grpc.HallGatewayStub(hall.channel)
    code, _ = code_of(lambda: stub.GetCase(gateway_pb2.GetCaseRequest(case_no="LX00-20260101-00001"), timeout=10))
    assert code == grpc.StatusCode.UNAUTHENTICATED


def _new_member(hall, staff_id: str, role: str = "clerk", site: str = "LX00", department: str = "") -> str:
    """A member added by the administrator, with a password set; returns the password."""
    st = hall.staffing
    st.ensure(staff_id, role, site, department)
    password = "Pw-" + secrets.token_hex(8)
    st.stub.SetPassword(spb.SetPasswordRequest(staff_id=staff_id, new_password=password),
                        metadata=st.md, timeout=10)
    return password


def test_sign_in_with_the_right_password_gives_a_shift_token(hall):
    password = _new_member(hall, "trust-clerk-1")
    reply = sign_in(hall.channel, "trust-clerk-1", password)
    claims = tokens.Verifier.from_files(hall.settings.public_key_files).verify(reply.access_token)
    assert claims.actor == Actor("trust-clerk-1", "clerk", "LX00", "")
    assert 8 * 3600 <= claims.expires_at - claims.issued_at <= 10 * 3600
    me = staff_pb2_grpc.StaffStub(hall.channel).WhoAmI(
        spb.WhoAmIRequest(), metadata=(("authorization", f"Bearer {reply.access_token}"),), timeout=10)
    assert me.staff_id == "trust-clerk-1"


def test_wrong_passwords_lock_the_account_and_the_administrator_unlocks_it(hall):
    password = _new_member(hall, "trust-clerk-2")
    for _ in range(5):
        code, details = code_of(lambda: sign_in(hall.channel, "trust-clerk-2", "wrong-password-1"))
        assert code == grpc.StatusCode.UNAUTHENTICATED
    code, details = code_of(lambda: sign_in(hall.channel, "trust-clerk-2", password))
    assert code == grpc.StatusCode.UNAUTHENTICATED and ("锁定" in details or "locked" in details)
    st = hall.staffing
    st.stub.UnlockStaff(spb.UnlockStaffRequest(staff_id="trust-clerk-2"), metadata=st.md, timeout=10)
    assert sign_in(hall.channel, "trust-clerk-2", password).access_token
    changes = st.stub.ListStaffChanges(spb.ListStaffChangesRequest(staff_id="trust-clerk-2", limit=50),
                                       metadata=st.md, timeout=10)
    text = str(changes)
    assert "lock" in text and "unlock" in text and password not in text


def test_a_second_factor_is_asked_for_once_enrolled(hall):
    password = _new_member(hall, "trust-clerk-3")
    token = sign_in(hall.channel, "trust-clerk-3", password).access_token
    md = (("authorization", f"Bearer {token}"),)
    stub = staff_pb2_grpc.StaffStub(hall.channel)
    secret = stub.EnrolTotp(spb.EnrolTotpRequest(), metadata=md, timeout=10).secret
    stub.ConfirmTotp(spb.ConfirmTotpRequest(code=pyotp.TOTP(secret).now()), metadata=md, timeout=10)
    code, _ = code_of(lambda: sign_in(hall.channel, "trust-clerk-3", password))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    code, _ = code_of(lambda: sign_in(hall.channel, "trust-clerk-3", password, totp_code="000000"))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    # the confirming code is used up; the next step's code (one step of drift is allowed) is not
    later = pyotp.TOTP(secret).at(time.time() + 30)
    assert sign_in(hall.channel, "trust-clerk-3", password, totp_code=later).access_token


def test_a_deactivated_member_is_refused_within_a_minute_everywhere(hall):
    password = _new_member(hall, "trust-clerk-4")
    token = sign_in(hall.channel, "trust-clerk-4", password).access_token
    client = GatewayClient(hall.address, token, Actor("trust-clerk-4", "clerk", "LX00"), channel=hall.channel)
    assert code_of(lambda: client.case("LX00-20260101-00001"))[0] == grpc.StatusCode.NOT_FOUND
    st = hall.staffing
    st.stub.DeactivateStaff(spb.DeactivateStaffRequest(staff_id="trust-clerk-4", reason="调离"),
                            metadata=st.md, timeout=10)
    started = time.monotonic()
    eventually(lambda: code_of(lambda: client.case("LX00-20260101-00001"))[0] == grpc.StatusCode.UNAUTHENTICATED,
               "the gateway to refuse the deactivated member", timeout=60)
    eventually(lambda: raw_call(hall, "intake-api", PROBE["intake-api"], token)[0] == grpc.StatusCode.UNAUTHENTICATED,
               "intake to refuse the deactivated member", timeout=60)
    assert time.monotonic() - started < 60
    assert code_of(lambda: sign_in(hall.channel, "trust-clerk-4", password))[0] == grpc.StatusCode.UNAUTHENTICATED


def test_signing_out_ends_the_session(hall):
    password = _new_member(hall, "trust-clerk-5")
    token = sign_in(hall.channel, "trust-clerk-5", password).access_token
    md = (("authorization", f"Bearer {token}"),)
    staff_pb2_grpc.StaffStub(hall.channel).SignOut(spb.SignOutRequest(), metadata=md, timeout=10)
    eventually(lambda: raw_call(hall, "sla-api", PROBE["sla-api"], token)[0] == grpc.StatusCode.UNAUTHENTICATED,
               "sla to refuse a signed-out session", timeout=60)


def test_service_accounts_cannot_sign_in_through_the_gateway(hall):
    secret = (hall.hall.secrets_dir / "svc-intake.secret").read_text().strip()
    code, _ = code_of(lambda: sign_in(hall.channel, "svc-intake", secret))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def _services_on(address: str) -> set[str]:
    with grpc.insecure_channel(address) as ch:
        stub = reflection_pb2_grpc.ServerReflectionStub(ch)
        reply = next(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                               timeout=10))
    return {s.name for s in reply.list_services_response.service} - {
        "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"}


def test_each_service_serves_the_gateways_names_for_it(hall):
    gateway = _services_on(hall.address)
    assert {"hall.v1.FrontDesk", "hall.v1.BackOffice", "hall.v1.Issuance", "hall.v1.Supervision",
            "hall.v1.HallCatalogue", "hall.v1.Staff", "hall.v1.HallGateway", "hall.v1.Audit"} == gateway
    # every service also serves its own audit chain (hall.v1.Audit), which the gateway composes
    owned = {p: _services_on(hall.settings.address(p)) - {"hall.v1.Audit"} for p in INTERNAL}
    assert all("hall.v1.Audit" in _services_on(hall.settings.address(p)) for p in INTERNAL)
    assert owned["intake-api"] == {"hall.v1.HallGateway", "hall.v1.FrontDesk"}
    assert owned["approval-api"] == {"hall.v1.HallGateway", "hall.v1.BackOffice"}
    assert owned["delivery-api"] == {"hall.v1.HallGateway", "hall.v1.Issuance"}
    assert owned["sla-api"] == {"hall.v1.HallGateway", "hall.v1.Supervision"}
    assert owned["routing-api"] == {"hall.v1.HallCatalogue"}
    assert owned["staff-api"] == {"hall.v1.Staff"}


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1, and as IPv4-mapped IPv6


def _listening(port: int) -> set[str]:
    """The local addresses listening on `port` (IPv4 and IPv6), from /proc/net."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, _, p = local.rpartition(":")
            if state == "0A" and int(p, 16) == port:
                found.add(addr)
    return found


def test_every_port_listens_on_loopback_only(hall):
    s = hall.settings
    from hall.infra.settings import PORTS
    for process in hall.hall.procs:
        ports = [s.metrics_port(process)] + ([s.grpc_port(process)] if PORTS[process][0] is not None else [])
        for port in ports:
            assert _listening(port) and _listening(port) <= LOOPBACK, f"{process} port {port}: {_listening(port)}"
