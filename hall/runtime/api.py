"""What every service's gRPC half does around its servicers: its database and outbox relay at
start; who is calling (hall.infra.auth); the audit of access to cases and personal data
(hall.infra.audit); the server with health and reflection, the cases gauge, and a clean stop
at the end."""
from __future__ import annotations

import os

from hall.infra import audit, auth, edge, grpcutil
from hall.infra.bus import Publisher
from hall.infra.metrics import refresh_periodically
from hall.infra.mongo import connect
from hall.infra.outbox import Outbox
from hall.runtime import process
from hall.v1 import audit_pb2_grpc


def open_store(s, service: str, collections: tuple[str, ...]):
    """The service's own database and a started outbox relay over its collections."""
    db = connect(s.mongo_uri_of(service))[s.database(service)]
    outbox = Outbox(db, Publisher(s.amqp_uri), collections, sweep_every=float(os.environ.get("HALL_OUTBOX_SWEEP_SECONDS", "15")))
    outbox.start()
    return db, outbox


def trust(s, service: str) -> auth.ProcessAuth:
    """The process's verifier, own service token and revocation feed, started."""
    return auth.ProcessAuth.for_service(s, service).start()


def audit_trail(s, service: str) -> audit.Trail:
    """The service's audit chain, in its own database."""
    return audit.Trail(connect(s.mongo_uri_of(service))[s.database(service)], service).prepare()


def serve(s, name: str, service: str, servicers: list, outbox: Outbox | None, count_by_status,
          trusted: auth.ProcessAuth, catalogue) -> None:
    """Serve `servicers` — (add-function, servicer, full service name) — on the process's port
    until SIGINT/SIGTERM, every call checked by `trusted`'s interceptor (who is calling) and
    then by the edge (hall.infra.edge: the request against its proto's rules and `catalogue`),
    the audited ones recorded in the service's audit chain (served as hall.v1.Audit), keeping
    the service's cases gauge fresh; then stop cleanly."""
    trail = audit_trail(s, service)
    servicers = [*servicers, (audit_pb2_grpc.add_AuditServicer_to_server, audit.AuditServicer(trail),
                              "hall.v1.Audit")]

    def add(server):
        for add_to_server, servicer, _ in servicers:
            add_to_server(servicer, server)

    recorder = audit.Audit(trail, trusted.verifier, audit.read_key(s.audit_key_file))
    server, _ = grpcutil.make_server(s.grpc_port(name), add, [full for *_, full in servicers],
                                     host=s.bind, interceptors=[recorder, *trusted.interceptors(),
                                                                edge.EdgeCheck(catalogue)])
    if count_by_status:
        refresh_periodically(service, count_by_status)
    process.wait_for_signal()
    server.stop(grace=5).wait()
    if outbox:
        outbox.stop()
