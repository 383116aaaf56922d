"""Small helpers the integration tests share: metrics scraping, raw bus access and a log of
the database commands a piece of code makes."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request

from kombu import Connection
from pymongo import monitoring

from hall.infra.bus import DEAD_LETTER_QUEUE, event_exchange


def metric(settings, process: str, name: str, **labels) -> float:
    """The value of one sample from a process's /metrics endpoint (0 when absent)."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{settings.metrics_port(process)}/metrics",
                                  timeout=5).read().decode()
    for line in body.splitlines():
        m = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if not m or m[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', m[2] or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(m[3])
    return 0.0


def publish_raw(settings, source: str, routing_key: str, body) -> None:
    """Put a message on a service's event exchange as any publisher could."""
    with Connection(settings.amqp_uri, transport_options={"confirm_publish": True}) as conn:
        conn.Producer(serializer="json").publish(body, exchange=event_exchange(source),
                                                 routing_key=routing_key, delivery_mode=2,
                                                 declare=[event_exchange(source)])


def dead_letters(settings) -> list[tuple[dict, object]]:
    """Everything now parked in the dead-letter queue: (headers, body), consumed."""
    out = []
    with Connection(settings.amqp_uri) as conn:
        queue = DEAD_LETTER_QUEUE(conn.default_channel)
        queue.declare()
        while (msg := queue.get(no_ack=False)) is not None:
            out.append((dict(msg.headers), msg.decode()))
            msg.ack()
    return out


def queue_depth(settings, name: str) -> int:
    with Connection(settings.amqp_uri) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count


class CommandLog(monitoring.CommandListener):
    """A pymongo command listener keeping (command, collection) of every command started, so
    a test can say which requests a piece of code made."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    def started(self, event):
        self.seen.append((event.command_name, str(event.command.get(event.command_name))))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def audit_verify(hall, var_dir) -> subprocess.CompletedProcess:
    """`python -m hall.tools.audit verify` with the hall's settings (and no var/run.env)."""
    env = {**os.environ, "HALL_MONGO_URI": hall.settings.mongo_uri, "HALL_DB_PREFIX": hall.settings.db_prefix,
           "HALL_VAR_DIR": str(var_dir)}
    env.pop("MONGO_URI", None)
    return subprocess.run([sys.executable, "-m", "hall.tools.audit", "verify"], env=env, capture_output=True,
                          text=True, timeout=300)
