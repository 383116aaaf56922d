"""The SLA's Prometheus metrics: cases by clock state per department and site, working days to
decision, notices, the dead-letter queue's depth (alert rules: deploy/prometheus/rules.yml)."""
from __future__ import annotations

from collections import Counter

from prometheus_client import Counter as PromCounter, Gauge, Histogram

LABELS = ["department", "site"]
OPEN = Gauge("hall_sla_open_cases", "Cases not yet issued (a joint case counts for each department)", LABELS)
DUE_SOON = Gauge("hall_sla_due_soon_cases", "Open cases due soon or on their last day", LABELS)
OVERDUE = Gauge("hall_sla_overdue_cases", "Open cases past their limit", LABELS)
PAUSED = Gauge("hall_sla_paused_cases", "Open cases whose clock is paused (补正, Art. 45)", LABELS)
DAYS_TO_DECISION = Histogram("hall_sla_decision_working_days", "Working days from acceptance to decision",
                             LABELS, buckets=(0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60))
NOTICES = PromCounter("hall_sla_notices_total", "Supervision notices raised and escalated", ["outcome"])
SCAN_SECONDS = Histogram("hall_sla_scan_seconds", "Time of one periodic scan of the clocks",
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
DEAD_LETTERS = Gauge("hall_dead_letter_messages", "Messages parked in the hall.dead-letter queue")

_seen: set = set()


def dead_letter_depth(amqp_uri: str) -> int:
    """Messages waiting in the dead-letter queue (0 while it does not exist yet)."""
    from kombu import Connection
    from hall.infra.bus import DEAD_LETTER_QUEUE
    with Connection(amqp_uri, connect_timeout=3) as conn:
        try:
            return conn.default_channel.queue_declare(DEAD_LETTER_QUEUE.name, passive=True).message_count
        except Exception as exc:  # NOT_FOUND closes the channel: nothing was ever parked
            if "NOT_FOUND" in str(exc) or "404" in str(exc):
                return 0
            raise


def set_case_gauges(open_records) -> None:
    """Set the four gauges from the open records (department list, site, state, paused)."""
    counts = {g: Counter() for g in (OPEN, DUE_SOON, OVERDUE, PAUSED)}
    for r in open_records:
        for dept in r.get("departments") or [""]:
            key = (dept, r.get("site", ""))
            counts[OPEN][key] += 1
            counts[DUE_SOON][key] += r.get("state") in ("due_soon", "last_day")
            counts[OVERDUE][key] += r.get("state") == "overdue"
            counts[PAUSED][key] += bool(r.get("paused"))
    keys = set().union(*counts.values()) | _seen
    for gauge, c in counts.items():
        for key in keys:  # labels that went to zero are set to zero, not left stale
            gauge.labels(*key).set(c.get(key, 0))
    _seen.update(keys)
