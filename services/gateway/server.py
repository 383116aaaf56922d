"""The gateway: the one gRPC entrance for front ends.

It serves the same services as the hall's services do (one definition per capability,
protos/), and forwards each call unchanged — the request's bytes and the caller's token — to
the service that owns it. It checks the caller's token and the method's role gate itself
(hall.infra.auth, hall.domain.identity) before forwarding, and the owner checks both again
with the finer rules. It composes only where one answer needs two services (compose.py)."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import grpc

from hall.infra import audit, auth, edge, grpcutil
from hall.infra.settings import ROOT
from hall.runtime import api, process
from hall.v1 import (audit_pb2, backoffice_pb2, catalogue_pb2, frontdesk_pb2, gateway_pb2, issuance_pb2,
                     staff_pb2, supervision_pb2)
from services.gateway.compose import COMPOSED
from services.gateway.forward import Forwarder
from services.gateway.web import Methods, WebGateway

CONSOLE_DIR = Path(os.environ.get("HALL_CONSOLE_DIR", ROOT / "web" / "dist"))

# Each public service and the process that owns it. HallGateway's calls belong to several.
PARTS = {
    "hall.v1.FrontDesk": (frontdesk_pb2, "intake-api"),
    "hall.v1.BackOffice": (backoffice_pb2, "approval-api"),
    "hall.v1.Issuance": (issuance_pb2, "delivery-api"),
    "hall.v1.Supervision": (supervision_pb2, "sla-api"),
    "hall.v1.HallCatalogue": (catalogue_pb2, "routing-api"),
    "hall.v1.Staff": (staff_pb2, "staff-api"),
    "hall.v1.HallGateway": (gateway_pb2, None),
    "hall.v1.Audit": (audit_pb2, None),  # composed from every service's chain (compose.py)
}
PIPELINE_OWNERS = {"AcceptApplication": "intake-api", "ListWorklist": "approval-api",
                   "RecordDecision": "approval-api", "RecordPickup": "delivery-api"}


def owner(service: str, method: str) -> str:
    return PARTS[service][1] or PIPELINE_OWNERS[method]


def handlers(forwarder: Forwarder) -> list[grpc.GenericRpcHandler]:
    """One generic handler per public service; every method forwards or composes."""
    out = []
    for service, (module, _) in PARTS.items():
        desc = module.DESCRIPTOR.services_by_name[service.rsplit(".", 1)[1]]
        methods = {}
        for m in desc.methods:
            full = f"/{service}/{m.name}"
            compose = COMPOSED.get(full)
            methods[m.name] = (compose(forwarder, m) if compose else
                               forwarder.method(full, owner(service, m.name), m))
        out.append(grpc.method_handlers_generic_handler(service, methods))
    return out


def main() -> None:
    s = process.start("gateway")
    trust = auth.ProcessAuth.for_service(s, "gateway").start()
    forwarder = Forwarder(s, trust, owner)
    # the services record the calls they serve; the gateway the ones its own gate refuses
    forwarder.audit_trail = api.audit_trail(s, "gateway")
    refusals = audit.Audit(forwarder.audit_trail, trust.verifier, audit.read_key(s.audit_key_file),
                           refused_only=True)
    server, _ = grpcutil.make_server(s.grpc_port("gateway"), lambda srv: srv.add_generic_rpc_handlers(
        handlers(forwarder)), list(PARTS), workers=32, host=s.bind,
        interceptors=[refusals, *trust.interceptors(), edge.LookupLimit(s.lookups_per_minute)])
    own = s.bind if s.bind not in ("0.0.0.0", "::") else "127.0.0.1"
    web = WebGateway(f"{own}:{s.grpc_port('gateway')}", Methods(PARTS), s.origins(), CONSOLE_DIR).serve(
        s.bind, s.web_port())
    logging.getLogger("gateway").info("console and Connect on http://%s:%d", s.bind, web.port)
    process.wait_for_signal()
    web.stop()
    server.stop(grace=5).wait()
