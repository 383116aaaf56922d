"""Starting a hall for tests: its own RabbitMQ vhost, database prefix and ports."""
from __future__ import annotations

import random
import socket
import time
import uuid
from pathlib import Path

import grpc

from hall.client import GatewayClient
from hall.runtime import rabbit
from hall.runtime.launcher import Hall
from hall.tools.staffing import Staffing


def free_port_base(span: int = 70) -> int:
    for _ in range(200):
        # below the kernel's ephemeral range (32768+), where outgoing connections take ports
        base = random.randrange(10000, 32000, 100)
        ok = True
        for off in range(span):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", base + off)) == 0:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free port range")


class TestHall:
    """A hall for one test session or one test, and clients that act as its staff."""

    def __init__(self, mongo_uri: str, log_dir: Path):
        self.tag = uuid.uuid4().hex[:10]
        self.vhost = rabbit.create_vhost(f"hall-test-{self.tag}")
        self.port_base = free_port_base()
        self.hall = Hall({"HALL_AMQP_URI": rabbit.amqp_uri(self.vhost), "HALL_MONGO_URI": mongo_uri,
                          "HALL_DB_PREFIX": f"t{self.tag}", "HALL_PORT_BASE": str(self.port_base),
                          "HALL_REVOCATION_POLL_SECONDS": "2"},
                         log_dir / self.tag, log_dir / self.tag / "secrets")
        self.settings = self.hall.settings
        self.address = self.settings.address("gateway")
        self.channel = grpc.insecure_channel(self.address)
        self._staffing: Staffing | None = None

    @property
    def staffing(self) -> Staffing:
        """The administrator's session (the hall must be running)."""
        if self._staffing is None:
            password = self.hall.admin_password_file.read_text().strip()
            self._staffing = Staffing(self.address, password, channel=self.channel)
        return self._staffing

    def client(self, role: str, site: str = "LX00", department: str = "", staff_id: str = "") -> GatewayClient:
        """A client signed in as a member of staff with this role, site and department: one
        of the directory's, or added by the administrator for the test."""
        if role == "system":  # a client system: the site's self-service kiosk
            return self.kiosk(site)
        sid = staff_id or f"{role}-{department or site}"
        self.staffing.ensure(sid, role, site, department)
        return self.staffing.client(sid, role)

    def kiosk(self, site: str) -> GatewayClient:
        """The self-service kiosk of a site, signed in through the gateway with its secret."""
        account = f"svc-kiosk-{site.lower()}"
        secret = (self.hall.secrets_dir / f"{account}.secret").read_text().strip()
        return GatewayClient.signed_in(self.address, account, secret, channel=self.channel)

    def db(self, service: str):
        import pymongo
        return pymongo.MongoClient(self.settings.mongo_uri_of(service))[self.settings.database(service)]

    def close(self) -> None:
        self.channel.close()
        self.hall.stop_all()
        rabbit.delete_vhost(self.vhost)


def eventually(fn, what: str, timeout: float = 30.0, every: float = 0.1):
    """Poll `fn` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except grpc.RpcError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last result: {last!r}")


def on_worklists(hall: TestHall, case_no: str, departments) -> None:
    """Wait until a routed case is on each department's worklist. GetCase says "routed" once
    the SLA service has heard case_routed; the worklists are approval's, which hears it on
    its own queue, so a reviewer acting the moment GetCase says "routed" can be early."""
    for dept in departments:
        reviewer = hall.client("reviewer", department=dept)
        eventually(lambda: case_no in [e.case_no for e in reviewer.worklist(limit=500)],
                   f"case {case_no} on {dept}'s worklist")
