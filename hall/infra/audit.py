"""The audit at each service's edge: one server interceptor records every call the table in
hall.domain.audit names — who (the verified token), when, which call, which case, how it
ended — as the next entry of the service's hash chain (collection `audit` of its own
database, one insert per call). Servicers know nothing of it."""
from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import grpc
from google.protobuf import descriptor_pool, message_factory
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain import audit, identity
from hall.domain.errors import DomainError, InvalidArgument
from hall.infra import auth, grpcutil, tokens
from hall.v1 import audit_pb2, audit_pb2_grpc

log = logging.getLogger(__name__)

COLLECTION = "audit"
MAX_LIMIT, DEFAULT_LIMIT = 2000, 500
REFUSED = ("PERMISSION_DENIED", "UNAUTHENTICATED")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_key(path: str) -> bytes:
    """The hall's audit key (HALL_AUDIT_KEY_FILE); without one no subject is recorded."""
    return Path(path).read_bytes().strip() if path else b""


class Trail:
    """One service's chain in its database. Entries are numbered by `_id` (unique), so two
    writers — two replicas, or a restart — can never both write entry n: the loser reads the
    head again and links after the winner."""

    def __init__(self, db, service: str, retries: int = 50):
        self.collection, self.service, self.retries = db[COLLECTION], service, retries
        self._head: tuple[int, str] | None = None
        self._lock = threading.Lock()

    def prepare(self) -> "Trail":
        self.collection.create_index([("case_no", ASCENDING)], name="case_no")
        return self

    def _read_head(self) -> tuple[int, str]:
        last = self.collection.find_one({}, sort=[("_id", -1)], projection={"hash": 1})
        return (last["_id"], last["hash"]) if last else (0, audit.GENESIS)

    def record(self, access: audit.Access) -> dict:
        """Append `access` after the newest entry; the entry as written."""
        with self._lock:
            for attempt in range(self.retries):
                seq, prev = self._head or self._read_head()
                entry = audit.link(access, seq + 1, prev)
                try:
                    self.collection.insert_one({"_id": entry["seq"], **entry})
                except DuplicateKeyError:
                    self._head = None  # another writer took seq + 1: follow it, after a
                    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # pause, or it wins again
                    continue
                self._head = (entry["seq"], entry["hash"])
                return entry
            raise RuntimeError(f"audit chain of {self.service}: no free place after {self.retries} tries")

    def for_case(self, case_no: str, limit: int) -> list[dict]:
        return list(self.collection.find({"case_no": case_no}).sort("_id", ASCENDING).limit(limit))

    def entries(self, batch: int = 1000):
        return self.collection.find({}).sort("_id", ASCENDING).batch_size(batch)


def _input_class(method: str):
    """The request message class of "/pkg.Service/Method", from the generated descriptors."""
    service, name = method.strip("/").split("/")
    desc = descriptor_pool.Default().FindServiceByName(service).FindMethodByName(name)
    return message_factory.GetMessageClass(desc.input_type)


def _has(message, field: str) -> bool:
    return hasattr(message, "DESCRIPTOR") and field in message.DESCRIPTOR.fields_by_name


def case_of(request, response=None) -> str:
    """The case a call names: its request's case_no, or (for an acceptance) its answer's."""
    for m in (request, response):
        if _has(m, audit.CASE_FIELD) and getattr(m, audit.CASE_FIELD):
            return getattr(m, audit.CASE_FIELD)[:audit.MAX_CASE_NO]
    return ""


def id_numbers_of(request) -> list[str]:
    """The ID numbers a request names, at its top level or one message down."""
    if not hasattr(request, "DESCRIPTOR"):
        return []
    out = []
    for f in request.DESCRIPTOR.fields:
        if f.name in audit.ID_FIELDS and f.type == f.TYPE_STRING and not _repeated(f):
            out.append(getattr(request, f.name))
        elif f.type == f.TYPE_MESSAGE and not _repeated(f) and request.HasField(f.name):
            inner = getattr(request, f.name)
            out += [getattr(inner, n) for n in audit.ID_FIELDS if _has(inner, n)
                    and inner.DESCRIPTOR.fields_by_name[n].type == f.TYPE_STRING]
    return out


def _repeated(f) -> bool:
    return f.is_repeated if hasattr(f, "is_repeated") else f.label == f.LABEL_REPEATED


class Audit(grpc.ServerInterceptor):
    """Record every audited call. Placed before hall.infra.auth.ServerAuth, so that calls the
    method gate refuses are recorded too; the caller is the token's, verified by the same
    (caching) verifier. With `refused_only` (the gateway, which forwards the rest to the
    services that record them) only the calls its own gate refuses."""

    def __init__(self, trail: Trail, verifier: tokens.Verifier, key: bytes = b"", refused_only: bool = False):
        self.trail, self.verifier, self.key, self.refused_only = trail, verifier, key, refused_only

    def intercept_service(self, continuation, details):
        handler = continuation(details)
        kind = audit.kind_of(details.method)
        if kind is None or handler is None or handler.unary_unary is None:
            return handler
        actor, refusal = self._caller(details)
        if self.refused_only and refusal is None:
            return handler
        inner, method = handler.unary_unary, details.method.lstrip("/")

        def behaviour(request, context):
            response, failed = None, False
            try:
                response = inner(request, context)
                return response
            except BaseException:
                failed = True
                raise
            finally:
                self._record(method, kind, actor, refusal or _code(context, failed), request, response)

        return grpc.unary_unary_rpc_method_handler(
            behaviour, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)

    def _caller(self, details) -> tuple[identity.Actor | None, str | None]:
        """The verified caller, and the status the method gate answers if it refuses them."""
        token = auth.bearer(details.invocation_metadata)
        try:
            actor = self.verifier.verify(token).actor if token else None
        except Exception:  # InvalidToken, or claims ServerAuth will refuse all the same
            return None, "UNAUTHENTICATED"
        if actor is None:
            return None, None if identity.is_public(details.method) else "UNAUTHENTICATED"
        try:
            identity.may_call(actor, details.method)
        except DomainError:
            return actor, "PERMISSION_DENIED"
        return actor, None

    def _record(self, method, kind, actor, code, request, response) -> None:
        try:
            if isinstance(request, bytes):  # the gateway forwards bytes: decode for the case number
                request = _decode(method, request)
            a = actor or _NOBODY
            self.trail.record(audit.Access(
                at=now(), service=self.trail.service, method=method, kind=kind, outcome=code,
                staff_id=a.staff_id, role=a.role, site=a.site, department=a.department,
                case_no=case_of(request, response), subject=audit.subject(id_numbers_of(request), self.key)))
        except Exception as exc:  # never the request's contents in the log
            log.error("audit entry for %s not written: %s", method, type(exc).__name__)


class _Nobody:
    staff_id = role = site = department = ""


_NOBODY = _Nobody()


def _decode(method: str, raw: bytes):
    try:
        return _input_class(method).FromString(raw)
    except Exception:
        return None


def _code(context, failed: bool) -> str:
    """The status the call ended with (an exception that set none is answered UNKNOWN)."""
    code = context.code() if hasattr(context, "code") else None
    if code is None:
        return "UNKNOWN" if failed else "OK"
    return code.name if hasattr(code, "name") else str(code)


def entry_pb(entry: dict) -> audit_pb2.AuditEntry:
    return audit_pb2.AuditEntry(**{f: entry.get(f, "") for f in (
        "service", "seq", "at", "method", "kind", "outcome", "staff_id", "role", "site",
        "department", "case_no", "subject", "hash")})


def case_query(request) -> tuple[str, int]:
    """The case number and limit of a ListCaseAccess request, checked."""
    case_no = request.case_no.strip()
    if not case_no or len(case_no) > audit.MAX_CASE_NO:
        raise InvalidArgument("name the case: a case number of 1-40 characters")
    if request.limit < 0 or request.limit > MAX_LIMIT:
        raise InvalidArgument(f"limit is 0-{MAX_LIMIT} (0: {DEFAULT_LIMIT})")
    return case_no, request.limit or DEFAULT_LIMIT


class AuditServicer(audit_pb2_grpc.AuditServicer):
    """hall.v1.Audit for this service's own chain."""

    def __init__(self, trail: Trail):
        self.trail = trail

    @grpcutil.unary("audit")
    def ListCaseAccess(self, request, context):
        """Who read or changed a case in this service, oldest first."""
        case_no, limit = case_query(request)
        return audit_pb2.ListCaseAccessResponse(entries=[entry_pb(e) for e in self.trail.for_case(case_no, limit)])
