"""`make street SITE=LX03`: a street service centre's node beside `make run`'s district.

The node runs its own RabbitMQ node, its own embedded database and the processes of
settings.STREET_PROCESSES (front desk for its site, its issuance position, the catalogue and
sign-in they need), on ports of its own; its link to the district is the shovels of
hall/runtime/broker_node.py. Data under var/street-<SITE>/ (HALL_VAR_DIR moves var/).
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from hall.infra import settings as settings_mod
from hall.infra.settings import STREET_PROCESSES
from hall.runtime import broker_node, process
from hall.runtime.broker_node import BrokerNode, Link
from hall.runtime.launcher import Hall

log = logging.getLogger("street")


@dataclass(frozen=True)
class NodePorts:
    """Where a node listens: its processes from `base` (offsets of settings.PORTS), its broker's
    AMQP, management and Erlang distribution ports, its database."""
    base: int = 7200
    amqp: int = 5682
    management: int = 15682
    dist: int = 25682
    db: int = 27127

    @classmethod
    def from_env(cls, env=os.environ) -> "NodePorts":
        names = {"base": "HALL_PORT_BASE", "amqp": "HALL_NODE_AMQP_PORT", "management": "HALL_NODE_MANAGEMENT_PORT",
                 "dist": "HALL_NODE_DIST_PORT", "db": "HALL_DB_PORT"}
        return cls(**{k: int(env[v]) for k, v in names.items() if env.get(v)})


class StreetNode:
    """One street centre's node: broker, database and processes, joined to the district."""

    def __init__(self, site: str, var: Path, district_amqp: str, ports: NodePorts = NodePorts(),
                 env: dict | None = None):
        self.site, self.var, self.ports = site, Path(var), ports
        self.broker = BrokerNode(self.var / "broker", f"street-{site.lower()}", ports.amqp, ports.management, ports.dist)
        self.link = Link(site, self.broker.amqp_uri(), self.broker.management_url, district_amqp)
        self.hall = Hall({"HALL_ROLE": "street", "HALL_SITE": site, "HALL_AMQP_URI": self.broker.amqp_uri(),
                          "HALL_NODE_MANAGEMENT": self.broker.management_url, "HALL_PORT_BASE": str(ports.base),
                          "HALL_DB_PREFIX": f"street_{site.lower()}", **(env or {})},
                         self.var / "log", self.var / "secrets")
        self._linking = threading.Event()

    def start(self, with_database: bool = True) -> None:
        self.broker.start()
        broker_node.declare_node_side(self.link)
        broker_node.open_link(self.link)  # the shovels retry by themselves while the district is away
        self._declare_district_side()
        if with_database and not self.hall.env.get("HALL_MONGO_URI"):
            self.hall.start_database(str(self.var / "db"), self.ports.db)
        self.hall.start_all(STREET_PROCESSES)

    def _declare_district_side(self) -> None:
        """The site's down queue on the district's broker; retried in the background while the
        district cannot be reached (the node works meanwhile)."""
        try:
            broker_node.declare_district_side(self.link)
        except OSError as exc:
            log.warning("the district's broker cannot be reached yet (%s); retrying", exc)

            def retry():
                while not self._linking.wait(5):
                    try:
                        broker_node.declare_district_side(self.link)
                        log.info("district side of the link declared")
                        return
                    except OSError:
                        continue
            threading.Thread(target=retry, daemon=True).start()

    def stop(self) -> None:
        self._linking.set()
        self.hall.stop_all()
        self.broker.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    site = os.environ.get("SITE") or os.environ.get("HALL_SITE") or ""
    var = Path(os.environ.get("HALL_VAR_DIR", settings_mod.ROOT / "var"))
    ports = NodePorts.from_env()  # before run.env's district settings come in
    settings_mod.use_local_run()  # the district's bus as `make run` wrote it
    district = os.environ.get("HALL_DISTRICT_AMQP_URI") or os.environ.get(
        "HALL_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")
    from hall.catalogue import load_catalogue
    known = load_catalogue().sites
    if site not in known or known[site].kind != "street":
        sys.exit(f"SITE={site!r}: a street centre's site code is needed, one of "
                 f"{', '.join(c for c, s in known.items() if s.kind == 'street')}")
    for key in ("HALL_AMQP_URI", "HALL_MONGO_URI", "MONGO_URI", "HALL_PORT_BASE", "HALL_DB_PREFIX"):
        os.environ.pop(key, None)  # the district's, from run.env: the node has its own
    node = StreetNode(site, var / f"street-{site}", district, ports)
    try:
        node.start()
        print(f"street node {site} is running; logs in {node.var / 'log'}")
        print(f"  gateway gRPC   {node.hall.settings.address('gateway')}")
        print(f"  broker         {node.broker.amqp_uri().rsplit('@', 1)[-1]} (management {node.broker.management_url})")
        print(f"  administrator password: {node.hall.admin_password_file}")
        print(f"  the district sees it with HALL_STREET_NODES={site}={node.broker.management_url} make run")
        print("Ctrl-C stops the node (its events wait in its queues until it is back).")
        sys.stdout.flush()
        process.wait_for_signal()
    finally:
        print("stopping...")
        node.stop()


if __name__ == "__main__":
    main()
