"""street-monitor (district): how the district sees each street node (HALL_STREET_NODES) —
whether its broker answers, whether its shovels run, when the link was last up, and how many
events wait at the node to go up and at the district to go down. Prometheus alert rules on
these figures: deploy/prometheus/rules.yml (StreetNodeUnreachable, StreetNodeBacklogGrowing)."""
from __future__ import annotations

import logging
import os
import time

from kombu import Connection
from prometheus_client import Gauge

from hall.infra.metrics import CONSUMING
from hall.runtime import broker_node, process

log = logging.getLogger("street-monitor")
NODE_UP = Gauge("hall_street_node_up", "The street node's broker answered the district (1) or not (0)", ["site"])
LINK_UP = Gauge("hall_street_link_up", "Every shovel of the street node's link runs (1) or not (0)", ["site"])
LAST_HEARD = Gauge("hall_street_node_last_heard_timestamp_seconds",
                   "When the street node's link was last seen up (Unix time)", ["site"])
BACKLOG = Gauge("hall_street_node_backlog_messages",
                "Events waiting to cross the street node's link: up (at the node) or down (at the district)",
                ["site", "direction"])


def down_backlog(conn: Connection, link: broker_node.Link) -> int | None:
    """Events for the node waiting in its down queue on the district's broker (None: no queue yet)."""
    channel = conn.channel()
    try:
        return channel.queue_declare(link.down_queue, passive=True).message_count
    except Exception as exc:
        if "NOT_FOUND" in str(exc) or "404" in str(exc):
            return None
        raise
    finally:
        try:
            channel.close()
        except Exception:  # already closed by the broker's NOT_FOUND
            pass


def observe(conn: Connection, link: broker_node.Link, status: broker_node.LinkStatus, now: float) -> None:
    """One look at one node: its figures from its broker's answer and the district's queue."""
    NODE_UP.labels(link.site).set(1 if status.reachable else 0)
    LINK_UP.labels(link.site).set(1 if status.up else 0)
    if status.up:
        LAST_HEARD.labels(link.site).set(now)
    if status.reachable:  # unreachable: the last known figure stays, the link gauge says why
        BACKLOG.labels(link.site, "up").set(status.up_backlog)
    down = down_backlog(conn, link)
    if down is not None:
        BACKLOG.labels(link.site, "down").set(down)


def main() -> None:
    s = process.start("street-monitor")
    every = float(os.environ.get("HALL_STREET_POLL_SECONDS", "5"))
    links = [broker_node.Link(site, "", url, s.amqp_uri) for site, url in s.street_nodes]
    for link in links:
        LINK_UP.labels(link.site).set(0)
        LAST_HEARD.labels(link.site).set(0)
    log.info("watching street nodes %s every %.0fs", ", ".join(link.site for link in links) or "(none)", every)
    conn = Connection(s.amqp_uri, connect_timeout=5)
    first = True
    while True:
        for link in links:
            try:
                observe(conn, link, broker_node.link_status(link), time.time())
            except Exception:
                log.exception("could not observe street node %s", link.site)
                conn = Connection(s.amqp_uri, connect_timeout=5)
        if first:
            CONSUMING.set(1)  # the launcher's sign that this process is at work
            first = False
        time.sleep(every)


if __name__ == "__main__":
    main()
