"""gRPC edges: a server with health and reflection, metrics for every call, and one mapping
from domain errors to status codes. Servicers stay thin and call plain functions."""
from __future__ import annotations

import functools
import logging
import time
import uuid
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from hall.domain import errors
from hall.infra.metrics import GRPC_SECONDS
from hall.infra.mongo import TRANSIENT

log = logging.getLogger(__name__)

STATUS = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.StepOutOfOrder: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Refused: grpc.StatusCode.FAILED_PRECONDITION,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
}


def status_for(exc: errors.DomainError) -> grpc.StatusCode:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return grpc.StatusCode.FAILED_PRECONDITION


MAX_MESSAGE = 500  # characters of an error message: far below gRPC's 16 KiB metadata limit


def clean(message: str) -> str:
    """An error message safe to send and to print: control and bidirectional-override
    characters replaced (errors.printable), at most MAX_MESSAGE characters."""
    message = errors.printable(message)
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…"


def unary(service: str):
    """Decorate a servicer method: map domain errors, pass downstream statuses through, time it."""
    def wrap(method):
        @functools.wraps(method)
        def call(self, request, context):
            started, code = time.perf_counter(), "OK"
            try:
                return method(self, request, context)
            except errors.DomainError as exc:
                code = status_for(exc)
                context.abort(code, clean(str(exc)))
            except grpc.RpcError as exc:  # a downstream service's answer, passed on as it came
                code = exc.code()
                context.abort(code, clean(exc.details() or "a hall service did not answer"))
            except TRANSIENT:
                # the service's database is restarting or unreachable: a retry (same key) is
                # safe and will succeed once it is back, so say so instead of INTERNAL
                log.warning("%s.%s: the database is not reachable", service, method.__name__)
                code = grpc.StatusCode.UNAVAILABLE
                context.abort(code, "the service's database is not reachable; retry the request")
            except Exception:
                if _aborted(context):  # context.abort() raised: the status is already set
                    code = context.code()
                    raise
                error_id = uuid.uuid4().hex[:12]
                log.exception("%s.%s failed (error id %s)", service, method.__name__, error_id)
                code = grpc.StatusCode.INTERNAL
                context.abort(code, f"internal error {error_id}; the request was not completed")
            finally:
                name = code.name if hasattr(code, "name") else str(code)
                GRPC_SECONDS.labels(service, method.__name__, name).observe(time.perf_counter() - started)
        return call
    return wrap


def _aborted(context) -> bool:
    code = context.code() if hasattr(context, "code") else None
    return code is not None and code != grpc.StatusCode.OK


def make_server(port: int, add_servicers, service_names: list[str], workers: int = 16,
                host: str = "127.0.0.1", interceptors=()) -> tuple[grpc.Server, health.HealthServicer]:
    """A started server with the standard health service and server reflection; every other
    call passes `interceptors` (hall.infra.auth.ServerAuth: who is calling) first."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers), interceptors=list(interceptors),
                         options=[("grpc.max_receive_message_length", 4 * 1024 * 1024)])
    add_servicers(server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in [*service_names, ""]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    if server.add_insecure_port(f"{host}:{port}") == 0:
        raise RuntimeError(f"cannot listen on {host}:{port}")
    server.start()
    return server, health_servicer


def channel(address: str) -> grpc.Channel:
    """A channel to a hall service. A service restarting (or still starting) is tried again
    within two seconds, not after gRPC's default backoff of up to two minutes."""
    return grpc.insecure_channel(address, options=[
        ("grpc.enable_retries", 1), ("grpc.initial_reconnect_backoff_ms", 200),
        ("grpc.min_reconnect_backoff_ms", 200), ("grpc.max_reconnect_backoff_ms", 2000)])
