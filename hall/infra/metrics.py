"""Prometheus metrics shared by every process; each process serves them on its own port."""
from __future__ import annotations

import logging
import threading

from prometheus_client import Counter, Gauge, Histogram, start_http_server

log = logging.getLogger(__name__)

EVENTS_HANDLED = Counter("hall_events_handled_total", "Case events handled", ["service", "type"])
EVENTS_FAILED = Counter("hall_events_failed_total", "Case events that failed",
                        ["service", "type", "outcome"])  # outcome: dead_lettered, requeued
EVENT_SECONDS = Histogram("hall_event_handling_seconds", "Time to handle one case event",
                          ["service", "type"],
                          buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
GRPC_SECONDS = Histogram("hall_grpc_seconds", "gRPC calls served", ["service", "method", "code"],
                         buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5))
DB_COMMANDS = Counter("hall_db_commands_total", "Database commands sent, by database and command",
                      ["database", "command"])
CASES = Gauge("hall_cases", "Cases by status as this service sees them", ["service", "status"])
CONSUMING = Gauge("hall_consuming", "1 once this worker's consumers are on the bus (their queues declared)")


def serve(port: int, host: str = "127.0.0.1") -> None:
    start_http_server(port, addr=host)


def refresh_periodically(service: str, count_by_status, every: float = 10.0) -> threading.Thread:
    """Keep the cases-by-status gauge fresh from `count_by_status() -> {status: n}`."""
    def loop():
        import time
        while True:
            try:
                for status, n in count_by_status().items():
                    CASES.labels(service, status).set(n)
            except Exception:
                log.exception("could not refresh the cases gauge")
            time.sleep(every)
    t = threading.Thread(target=loop, name="cases-gauge", daemon=True)
    t.start()
    return t
