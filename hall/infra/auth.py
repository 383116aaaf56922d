"""Who is calling, on every gRPC port of the hall.

One server interceptor (`ServerAuth`) in every process verifies the caller's token from the
`authorization: Bearer …` metadata, applies the method's role gate from the one policy module
(hall.domain.identity) and hands the handler the Actor (`caller()`). One client interceptor
(`ClientAuth`) forwards, on every call a process makes, the token of the request it is
serving — or, outside a request (a background poll), the process's own service token.
Events on the bus carry the actor as a recorded fact only; nothing here reads them."""
from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
from pathlib import Path

import grpc
import jwt

from hall.domain import identity
from hall.domain.errors import PermissionDenied, Unauthenticated
from hall.domain.identity import Actor
from hall.infra import grpcutil, tokens

log = logging.getLogger(__name__)

_CURRENT: contextvars.ContextVar = contextvars.ContextVar("hall_caller", default=None)
EXEMPT = ("/grpc.health.v1.Health/", "/grpc.reflection.")
REVOCATION_POLL_SECONDS = float(os.environ.get("HALL_REVOCATION_POLL_SECONDS", "10"))


def caller() -> Actor:
    """The verified caller of the request being served (UNAUTHENTICATED if there is none)."""
    current = _CURRENT.get()
    if current is None or current[0] is None:
        raise Unauthenticated("sign in: this call needs a staff token")
    return current[0].actor


def claims() -> tokens.Claims | None:
    current = _CURRENT.get()
    return current[0] if current else None


def bearer(metadata) -> str:
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value[7:].strip()
    return ""


def _abort(code: grpc.StatusCode, message: str):
    def deny(request, context):
        context.abort(code, message)
    return grpc.unary_unary_rpc_method_handler(deny)


class ServerAuth(grpc.ServerInterceptor):
    """Verify the token and apply the method's role gate before any handler runs."""

    def __init__(self, verifier: tokens.Verifier):
        self.verifier = verifier

    def intercept_service(self, continuation, details):
        method = details.method
        if method.startswith(EXEMPT):
            return continuation(details)
        handler = continuation(details)
        if handler is None or handler.unary_unary is None:
            return None  # no streaming method is served unchecked (none exists): UNIMPLEMENTED
        token = bearer(details.invocation_metadata)
        public = identity.is_public(method)
        verified = None
        if token or not public:
            try:
                verified = self.verifier.verify(token) if token else None
            except tokens.InvalidToken as exc:
                return _abort(grpc.StatusCode.UNAUTHENTICATED, str(exc))
            if verified is None:
                return _abort(grpc.StatusCode.UNAUTHENTICATED, "sign in: no staff token was sent")
        if verified is not None:
            try:
                identity.may_call(verified.actor, method)
            except PermissionDenied as exc:
                return _abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))
        inner, decode = handler.unary_unary, handler.request_deserializer

        def behaviour(request, context):
            if request is UNDECODABLE:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                              f"the request is not a valid {method.rsplit('/', 1)[-1]} message")
            reset = _CURRENT.set((verified, token))
            try:
                return inner(request, context)
            finally:
                _CURRENT.reset(reset)

        return grpc.unary_unary_rpc_method_handler(
            behaviour, request_deserializer=_tolerant(decode) if decode else None,
            response_serializer=handler.response_serializer)


UNDECODABLE = object()  # what a request that is not a valid message decodes to


def _tolerant(decode):
    """Undecodable bytes become UNDECODABLE (answered INVALID_ARGUMENT), not grpcio's
    INTERNAL "Exception deserializing request!" with a traceback in the log each time."""
    def safe(raw: bytes):
        try:
            return decode(raw)
        except Exception:
            return UNDECODABLE
    return safe


class ClientAuth(grpc.UnaryUnaryClientInterceptor):
    """Send the served request's token along, or the process's own when serving none."""

    def __init__(self, own_token):
        self.own_token = own_token

    def intercept_unary_unary(self, continuation, details, request):
        current = _CURRENT.get()
        token = current[1] if current and current[1] else self.own_token()
        metadata = [(k, v) for k, v in (details.metadata or ()) if k != "authorization"]
        metadata.append(("authorization", f"Bearer {token}"))
        return continuation(details._replace(metadata=metadata) if hasattr(details, "_replace")
                            else _Details(details, metadata), request)


class _Details(grpc.ClientCallDetails):
    def __init__(self, base, metadata):
        self.method, self.timeout, self.metadata = base.method, base.timeout, metadata
        self.credentials = base.credentials
        self.wait_for_ready = getattr(base, "wait_for_ready", None)
        self.compression = getattr(base, "compression", None)


def carrying(own_token, address: str) -> grpc.Channel:
    """A channel to a hall service whose calls carry the caller's token (ClientAuth)."""
    return grpc.intercept_channel(grpcutil.channel(address), ClientAuth(own_token))


class ServiceTokens:
    """A process's own token: it signs in at the staff service as its service account
    (`svc-<service>`, secret in a 0600 file) and signs in again before the token runs out."""

    def __init__(self, account: str, secret: str, staff_address: str):
        self.account, self._secret, self.staff_address = account, secret, staff_address
        self._token, self._renew_at = "", 0.0
        self._lock = threading.Lock()
        self._channel = None

    @classmethod
    def of(cls, settings, service: str) -> "ServiceTokens":
        """The service account of `service` with the secret its process was given."""
        secret = Path(settings.service_secret_file).read_text().strip() if settings.service_secret_file else ""
        return cls(f"svc-{service}", secret, settings.address("staff-api"))

    def __call__(self) -> str:
        with self._lock:
            if time.time() >= self._renew_at:
                self._token, self._renew_at = self._sign_in()
            return self._token

    def _sign_in(self) -> tuple[str, float]:
        from hall.v1 import staff_pb2, staff_pb2_grpc
        if self._channel is None:
            self._channel = grpcutil.channel(self.staff_address)
        # wait for a staff service that is still starting (or restarting) rather than fail at
        # once on a channel still backing off from an earlier refused connection
        reply = staff_pb2_grpc.StaffStub(self._channel).SignIn(
            staff_pb2.SignInRequest(staff_id=self.account, password=self._secret), timeout=10,
            wait_for_ready=True)
        c = jwt.decode(reply.access_token, options={"verify_signature": False})
        return reply.access_token, time.time() + (c["exp"] - c["iat"]) / 2


class LocalTokens:
    """The staff service's own token, signed in-process (it holds the signing key)."""

    def __init__(self, signer: tokens.Signer, account: str = "svc-staff", ttl: int = 3600):
        self.signer, self.actor, self.ttl = signer, Actor(account, "system", "", ""), ttl
        self._token, self._renew_at = "", 0.0

    def __call__(self) -> str:
        if time.time() >= self._renew_at:
            self._token = self.signer.issue(self.actor, f"{self.actor.staff_id}-local", self.ttl)
            self._renew_at = time.time() + self.ttl / 2
        return self._token


class RevocationFeed:
    """Keeps a verifier's revocations fresh: sessions signed out and staff deactivated take
    effect within `every` seconds (docs/security.md)."""

    def __init__(self, revocations: tokens.Revocations, fetch, every: float = REVOCATION_POLL_SECONDS):
        self.revocations, self.fetch, self.every = revocations, fetch, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="revocations", daemon=True)

    def start(self) -> "RevocationFeed":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def refresh(self) -> None:
        sessions, staff = self.fetch()
        self.revocations.sessions, self.revocations.staff = set(sessions), set(staff)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception as exc:  # the staff service restarting: keep the last list
                log.warning("revocation list not refreshed: %s", str(exc)[:200])
            self._stop.wait(self.every)


def staff_revocations(staff_channel):
    """A fetch function for RevocationFeed that asks the staff service."""
    from hall.v1 import staff_pb2, staff_pb2_grpc
    stub = staff_pb2_grpc.StaffStub(staff_channel)

    def fetch():
        reply = stub.ListRevocations(staff_pb2.ListRevocationsRequest(), timeout=10)
        return list(reply.session_ids), list(reply.staff_ids)
    return fetch


class ProcessAuth:
    """Everything one process needs for trust: the verifier (public keys + revocations), its
    own token, an intercepted channel factory and the server interceptors."""

    def __init__(self, verifier: tokens.Verifier, own_token):
        self.verifier, self.own_token = verifier, own_token
        self.feed: RevocationFeed | None = None

    @classmethod
    def for_service(cls, settings, service: str) -> "ProcessAuth":
        verifier = tokens.Verifier.from_files(settings.public_key_files)
        pa = cls(verifier, ServiceTokens.of(settings, service))
        pa.feed = RevocationFeed(verifier.revocations, staff_revocations(pa.channel(settings.address("staff-api"))))
        return pa

    @classmethod
    def for_signer(cls, settings, signer: tokens.Signer, fetch) -> "ProcessAuth":
        pa = cls(tokens.Verifier.from_files(settings.public_key_files), LocalTokens(signer))
        pa.feed = RevocationFeed(pa.verifier.revocations, fetch)
        return pa

    def start(self) -> "ProcessAuth":
        if self.feed:
            self.feed.start()
        return self

    def channel(self, address: str) -> grpc.Channel:
        return carrying(self.own_token, address)

    def interceptors(self) -> list:
        return [ServerAuth(self.verifier)]
