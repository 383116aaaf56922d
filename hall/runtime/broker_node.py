"""A street node's RabbitMQ and its link to the district, made of RabbitMQ's own shovels.

A street service centre (为民服务中心) runs its own broker node. Its case events are published
there and wait in durable queues of the node until a dynamic shovel (rabbitmq_shovel, defined
on the node) has moved them up to the district's exchanges; what the district sends down for
the site (results forwarded for pickup there) waits in a durable queue of the district until
the node's down shovel takes it. While the link is cut both sides keep what they have.

    node  <site>.events exchanges ──▶ street.<SITE>.up.<source> ══shovel══▶ district <source>.events
    district <source>.events ─(type)▶ hall.streets (headers: site) ──▶ street.<SITE>.down
                                        ══shovel══▶ node district.events ──▶ node's consumers

Ordering: one queue and one shovel per source keeps each source's events in publish order.
The shovels acknowledge on the destination's confirm, so an event may arrive twice after a
cut, never not at all; every consumer is idempotent by event id.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kombu import Connection, Exchange, Queue

from hall.domain import nodes
from hall.domain.clock import SHANGHAI

log = logging.getLogger(__name__)
RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
PLUGINS = ("rabbitmq_management", "rabbitmq_shovel", "rabbitmq_shovel_management")
# the sources whose events start at a street node (intake accepts, the issuance position hands over)
UP_SOURCES = ("intake", "delivery")
# what the district sends down to the node of the case's site: source -> event types
DOWN_EVENTS = {"delivery": ("result_forwarded",)}
DOWN_EXCHANGE = "district.events"   # on the node: where the down shovel publishes
STREETS_EXCHANGE = "hall.streets"   # on the district: headers exchange, by the event's site


def _bin(name: str) -> str:
    local = RABBIT_BIN / name  # Debian's wrapper in /usr/sbin switches to the rabbitmq user
    return str(local) if local.exists() else (shutil.which(name) or name)


class BrokerNode:
    """A RabbitMQ node of our own: node name, AMQP, distribution and management ports, data,
    logs, config and enabled plugins all under `base`; nothing of the machine's broker changes."""

    def __init__(self, base: Path, name: str, amqp_port: int, mgmt_port: int, dist_port: int | None = None):
        self.base, self.amqp_port, self.mgmt_port = Path(base), amqp_port, mgmt_port
        self.dist_port = dist_port or amqp_port + 20000
        self.node = name if "@" in name else f"{name}@localhost"
        self.proc: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None

    @property
    def env(self) -> dict:
        b = self.base
        return {**os.environ, "HOME": str(b),  # its own Erlang cookie
                "RABBITMQ_CONF_ENV_FILE": str(b / "rabbitmq-env.conf"),
                "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.amqp_port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_CONFIG_FILE": str(b / "rabbitmq.conf"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(b / "advanced.config"),
                "RABBITMQ_MNESIA_BASE": str(b / "mnesia"), "RABBITMQ_LOG_BASE": str(b / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(b / "enabled_plugins"),
                "RABBITMQ_PLUGINS_EXPAND_DIR": str(b / "plugins-expand"),
                "RABBITMQ_PID_FILE": str(b / "rabbit.pid"), "ERL_EPMD_ADDRESS": "127.0.0.1",
                "ERL_CRASH_DUMP": str(b / "erl_crash.dump")}  # not into the caller's directory

    def amqp_uri(self, vhost: str = "/") -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/{urllib.parse.quote(vhost, safe='')}"

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.mgmt_port}"

    def _write_config(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq-env.conf").write_text("")  # not the machine's /etc/rabbitmq one
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}\n"
            f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {self.mgmt_port}\n"
            "loopback_users = none\ncollect_statistics_interval = 1000\n")
        (self.base / "advanced.config").write_text("[].\n")
        (self.base / "enabled_plugins").write_text(f"[{','.join(PLUGINS)}].\n")

    def start(self, timeout: float = 120) -> None:
        """Start the node and wait until its management API answers (plugins loaded)."""
        self._write_config()
        log = open(self.base / "server.log", "ab")
        self.proc = subprocess.Popen([_bin("rabbitmq-server")], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._watch_parent()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"RabbitMQ node {self.node} exited at start (code {self.proc.returncode}); "
                                   f"see {self.base / 'server.log'}")
            try:
                self.api("GET", "/api/overview")
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"RabbitMQ node {self.node} did not start within {timeout}s")

    def _watch_parent(self) -> None:
        """The node runs in a session of its own (Ctrl-C is ours to handle); should we die
        without stopping it, a watchdog stops it, as the hall's processes die with their parent."""
        script = (f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
                  f"'{_bin('rabbitmqctl')}' -n {self.node} stop >/dev/null 2>&1 || kill -9 {self.proc.pid}")
        self._watchdog = subprocess.Popen(["sh", "-c", script], env=self.env, start_new_session=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        """Stop the node (its data stays under base: a restart finds its queues and shovels)."""
        if self._watchdog:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None
        if self.proc is None:
            return
        subprocess.run([_bin("rabbitmqctl"), "-n", self.node, "stop"], env=self.env,
                       capture_output=True, timeout=60)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def api(self, method: str, path: str, body=None):
        return management(self.management_url, method, path, body)


def management(url: str, method: str, path: str, body=None, timeout: float = 5):
    """One call to a broker's management HTTP API (guest); the decoded JSON answer or None."""
    req = urllib.request.Request(url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"content-type": "application/json"})
    req.add_header("Authorization", "Basic Z3Vlc3Q6Z3Vlc3Q=")  # guest:guest, loopback only
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


@dataclass(frozen=True)
class Link:
    """A street node's link: its site, its broker (local URI and management API) and the
    district's broker as the node reaches it."""
    site: str
    node_uri: str
    node_management: str
    district_uri: str

    def up_queue(self, source: str) -> str:
        return f"street.{self.site}.up.{source}"

    @property
    def down_queue(self) -> str:
        return f"street.{self.site}.down"

    def shovels(self) -> dict[str, dict]:
        """name -> shovel definition (rabbitmq_shovel dynamic parameter value)."""
        common = {"src-protocol": "amqp091", "dest-protocol": "amqp091", "ack-mode": "on-confirm",
                  "reconnect-delay": 1, "src-prefetch-count": 200, "src-delete-after": "never"}
        defs = {f"{self.site}-up-{s}": {**common, "src-uri": "amqp://", "src-queue": self.up_queue(s),
                                        "dest-uri": self.district_uri, "dest-exchange": f"{s}.events"}
                for s in UP_SOURCES}
        defs[f"{self.site}-down"] = {**common, "src-uri": self.district_uri, "src-queue": self.down_queue,
                                     "dest-uri": "amqp://", "dest-exchange": DOWN_EXCHANGE}
        return defs


def declare_node_side(link: Link) -> None:
    """The node's exchanges and the durable queues its events wait in until shovelled up."""
    with Connection(link.node_uri, connect_timeout=10) as conn:
        ch = conn.channel()
        Exchange(DOWN_EXCHANGE, type="topic", durable=True)(ch).declare()
        for source in UP_SOURCES:
            ex = Exchange(f"{source}.events", type="topic", durable=True)
            Queue(link.up_queue(source), exchange=ex, routing_key="#", durable=True)(ch).declare()


def declare_district_side(link: Link, district_uri: str | None = None) -> None:
    """On the district's broker: the site's down queue, fed through the headers exchange by the
    site each event carries (hall.infra.bus publishes it as a header)."""
    with Connection(district_uri or link.district_uri, connect_timeout=10) as conn:
        ch = conn.channel()
        streets = Exchange(STREETS_EXCHANGE, type="headers", durable=True)(ch)
        streets.declare()
        for source, types in DOWN_EVENTS.items():
            src = Exchange(f"{source}.events", type="topic", durable=True)(ch)
            src.declare()
            for t in types:
                streets.bind_to(src, routing_key=t)
        Queue(link.down_queue, exchange=streets, durable=True,
              binding_arguments={"x-match": "all", "site": link.site})(ch).declare()
        for source in UP_SOURCES:  # the shovels' destinations must exist
            Exchange(f"{source}.events", type="topic", durable=True)(ch).declare()


def open_link(link: Link) -> None:
    """Define (or redefine) the node's shovels; they run until `close_link`."""
    for name, value in link.shovels().items():
        management(link.node_management, "PUT", f"/api/parameters/shovel/%2F/{name}", {"value": value})


def close_link(link: Link) -> None:
    """Remove the shovels (events keep waiting in the durable queues on both sides)."""
    for name in link.shovels():
        try:
            management(link.node_management, "DELETE", f"/api/parameters/shovel/%2F/{name}")
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise


def set_up(link: Link) -> None:
    """Everything a node's link needs, idempotent: queues and bindings on both sides, shovels."""
    declare_node_side(link)
    declare_district_side(link)
    open_link(link)


@dataclass(frozen=True)
class LinkStatus:
    site: str
    reachable: bool            # the node's broker answered
    shovels: dict              # name -> state (running, starting, terminated, absent)
    up_backlog: int            # events waiting at the node to go up (-1: unknown)

    @property
    def up(self) -> bool:
        return self.reachable and bool(self.shovels) and all(s == "running" for s in self.shovels.values())


def link_status(link: Link, timeout: float = 3) -> LinkStatus:
    """The link as the node's broker reports it: each shovel's state and the events waiting."""
    try:
        running = {s["name"]: s.get("state", "unknown")
                   for s in management(link.node_management, "GET", "/api/shovels/%2F", timeout=timeout) or []}
        backlog = 0
        for source in UP_SOURCES:
            q = management(link.node_management, "GET", f"/api/queues/%2F/{link.up_queue(source)}",
                           timeout=timeout)
            backlog += int(q.get("messages", 0) or 0)
    except (OSError, ValueError):
        return LinkStatus(link.site, False, {}, -1)
    return LinkStatus(link.site, True, {n: running.get(n, "absent") for n in link.shovels()}, backlog)


class LinkWatch:
    """A street node's view of its own link, refreshed in the background so that answering a
    clerk never waits on the broker's API."""

    def __init__(self, link: Link, every: float = 2.0, status=link_status):
        self.link, self.every, self._status = link, every, status
        self.last: LinkStatus | None = None
        self.down_since: datetime | None = None
        self._stop = threading.Event()

    def start(self) -> "LinkWatch":
        self.check()
        threading.Thread(target=self._run, name="link-watch", daemon=True).start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.check()
            except Exception:  # never let the watch die; the next check tries again
                log.exception("link status check failed")

    def check(self) -> LinkStatus:
        self.last = self._status(self.link)
        if self.last.up:
            self.down_since = None
        elif self.down_since is None:
            self.down_since = datetime.now(SHANGHAI)
        return self.last

    def warning(self) -> str:
        """'' while the link is up; else what the clerk is told."""
        if self.down_since is None or self.last is None:
            return ""
        return nodes.district_unreachable(self.down_since.strftime("%H:%M:%S"), max(self.last.up_backlog, 0))

    def stop(self) -> None:
        self._stop.set()


def main(argv=None) -> None:
    """`python -m hall.runtime.broker_node set-up|status`: a street node's link from its settings
    (HALL_SITE, HALL_AMQP_URI: the node's broker, HALL_NODE_MANAGEMENT, HALL_DISTRICT_AMQP_URI);
    the Kubernetes overlay's set-up Job runs `set-up` (docs/street-nodes.md)."""
    import sys
    from hall.infra import settings
    args = sys.argv[1:] if argv is None else argv
    s = settings.load()
    district = os.environ.get("HALL_DISTRICT_AMQP_URI", "")
    if not s.site or not district or args not in (["set-up"], ["status"]):
        sys.exit("usage: HALL_ROLE=street HALL_SITE=LX03 HALL_AMQP_URI=... HALL_NODE_MANAGEMENT=... "
                 "HALL_DISTRICT_AMQP_URI=... python -m hall.runtime.broker_node set-up|status")
    link = Link(s.site, s.amqp_uri, s.node_management, district)
    if args == ["set-up"]:
        set_up(link)
    status = link_status(link)
    print(json.dumps({"site": status.site, "up": status.up, "shovels": status.shovels,
                      "waiting_up": status.up_backlog}))


if __name__ == "__main__":
    main()
