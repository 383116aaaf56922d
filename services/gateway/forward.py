"""Forwarding one call to the service that owns it: the request's bytes as they came, the
caller's token by the client interceptor, the owner's status and message as they went."""
from __future__ import annotations

import time

import grpc
from google.protobuf import message_factory

from hall.infra.metrics import GRPC_SECONDS
from hall.infra.settings import STREET_PROCESSES

TIMEOUT = 10.0


def message_class(descriptor):
    return message_factory.GetMessageClass(descriptor)


class NotHere(grpc.RpcError):
    """A street node's gateway asked for a part only the district runs (back office,
    supervision, ...): answered at once, not after waiting for a process that never comes."""

    def __init__(self, process: str, site: str):
        self._details = (f"{process.removesuffix('-api')} is served by the district's hall (区政务服务中心), "
                         f"not at the street node of {site}; use the district's hall for it")

    def code(self):
        return grpc.StatusCode.FAILED_PRECONDITION

    def details(self):
        return self._details


class Forwarder:
    """Channels to the services (with the caller's token added to every call) and the
    generic method handlers that forward to them."""

    def __init__(self, settings, trust, owner):
        self.settings, self.trust, self.owner = settings, trust, owner  # owner(service, method) -> process
        self._channels: dict[str, grpc.Channel] = {}

    def channel(self, process: str) -> grpc.Channel:
        if process not in self._channels:
            self._channels[process] = self.trust.channel(self.settings.address(process))
        return self._channels[process]

    def call(self, process: str, full_method: str, request, context, response_class=None):
        """Call `full_method` on `process` with a request (bytes, or a message when
        `response_class` is given for a decoded answer)."""
        if self.settings.role == "street" and process not in STREET_PROCESSES:
            raise NotHere(process, self.settings.site)
        timeout = min(TIMEOUT, context.time_remaining() or TIMEOUT)
        if response_class is None:
            stub = self.channel(process).unary_unary(full_method)
        else:
            stub = self.channel(process).unary_unary(
                full_method, request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response_class.FromString)
        # a service restarting (or still starting) is waited for within the deadline, not failed at once
        return stub(request, timeout=timeout, wait_for_ready=True)

    def method(self, full_method: str, process: str, descriptor) -> grpc.RpcMethodHandler:
        """A handler that passes the request's bytes to `process` and its answer back."""
        service, name = full_method.strip("/").split("/")

        def forward(raw: bytes, context):
            started, code = time.perf_counter(), grpc.StatusCode.OK
            try:
                return self.call(process, full_method, raw, context)
            except grpc.RpcError as exc:
                code = exc.code()
                context.abort(code, exc.details() or f"{process} did not answer")
            finally:
                GRPC_SECONDS.labels("gateway", name, code.name).observe(time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(forward)
