"""SLA (跟踪督办), event half: follows every step of every case, keeps each case's clock record,
scans the clocks on a timer to raise and escalate supervision notices, closes issued cases;
and keeps its Prometheus figures (alert rules: deploy/prometheus/rules.yml). The calendar and
the chief representatives come from the catalogue in force (a reload reaches the next event
and the next scan)."""
from __future__ import annotations

import logging
import time

from nameko import config as nameko_config
from nameko.timer import timer
from prometheus_client import Counter as PromCounter, Gauge, Histogram

from hall.domain import statistics
from hall.domain.ports import UnitOfWork
from hall.infra.batch import Coalescer
from hall.infra.nameko_catalogue import Catalogue
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.sla import config, handlers
from services.sla.repository import SlaRepository

log = logging.getLogger(__name__)
LABELS = ["department", "site"]
GAUGES = {
    "open": Gauge("hall_sla_open_cases", "Cases not yet issued (a joint case counts for each department)", LABELS),
    "due_soon": Gauge("hall_sla_due_soon_cases", "Open cases due soon or on their last day", LABELS),
    "overdue": Gauge("hall_sla_overdue_cases", "Open cases past their limit", LABELS),
    "paused": Gauge("hall_sla_paused_cases", "Open cases whose clock is paused (补正, Art. 45)", LABELS),
}
DAYS_TO_DECISION = Histogram("hall_sla_decision_working_days", "Working days from acceptance to decision",
                             LABELS, buckets=(0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60))
NOTICES = PromCounter("hall_sla_notices_total", "Supervision notices raised and escalated", ["outcome"])
SCAN_SECONDS = Histogram("hall_sla_scan_seconds", "Time of one periodic scan of the clocks",
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
DEAD_LETTERS = Gauge("hall_dead_letter_messages", "Messages parked in the hall.dead-letter queue")
# A case's events come in bursts (decision_made with case_decided, result_issued with the
# close); waiting this long gathers them, and other cases', into one rewrite of each record.
REFRESH_LINGER = 0.02
_refreshers: dict[int, Coalescer] = {}
_seen: set = set()


def unit_of_work(store, catalogue) -> UnitOfWork:
    """One command's work, with the calendar of the catalogue version in force now (an event
    consumed while the provider is still starting waits for the catalogue)."""
    in_force = catalogue.current or catalogue.load()
    return UnitOfWork(store, store.outbox, catalogue, in_force.calendar)


def refresh_and_observe(store, catalogue, policy, case_nos: list[str]) -> dict:
    """Refresh the records of `case_nos` together; a case decided by this refresh feeds the
    working-days histogram here, once, however many of its events shared the refresh."""
    results = handlers.refresh_clocks(unit_of_work(store, catalogue), case_nos, policy)
    for rec in handlers.newly_decided(results):
        DAYS_TO_DECISION.labels(rec["lead"], rec["site"]).observe(rec["working_days"])
    return results


def refresher(store, catalogue, policy) -> Coalescer:
    """One coalescer per repository (per worker process)."""
    if id(store) not in _refreshers:
        _refreshers[id(store)] = Coalescer(lambda case_nos: refresh_and_observe(store, catalogue, policy, case_nos),
                                           "clock-refresh", linger=REFRESH_LINGER)
    return _refreshers[id(store)]


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


def set_gauges(open_records) -> None:
    """The four case gauges from the open records; labels that went to zero are set to zero."""
    counts = statistics.clock_counts(open_records)
    keys = set().union(*counts.values()) | _seen
    for name, gauge in GAUGES.items():
        for key in keys:
            gauge.labels(*key).set(counts[name].get(key, 0))
    _seen.update(keys)


def observe_scan(store, counts: dict, cfg) -> None:
    """The scan's figures; the gauges (and the dead-letter depth) when they are due."""
    SCAN_SECONDS.observe(counts["seconds"])
    NOTICES.labels("raised").inc(counts["raised"])
    NOTICES.labels("escalated").inc(counts["escalated"])
    if counts["raised"] or counts["escalated"]:
        log.info("supervision scan: %s", counts)
    if time.monotonic() - SlaService.gauges_at >= cfg.gauges_every:
        SlaService.gauges_at = time.monotonic()
        set_gauges(store.open_records())
        DEAD_LETTERS.set(dead_letter_depth(nameko_config["AMQP_URI"]))


class SlaService:
    name = "sla"
    store = Store("sla", SlaRepository)
    catalogue = Catalogue("sla")
    settings = config.load()
    gauges_at = 0.0

    def uow(self) -> UnitOfWork:
        return unit_of_work(self.store, self.catalogue)

    def follow(self, event) -> None:
        """Record an event once and bring its case's clock record up to date (refreshes of
        cases handled at the same time go to the database together)."""
        handlers.follow_case(self.uow(), event, refresher(self.store, self.catalogue, self.settings.policy).submit)

    @case_event_handler("intake", "case_accepted")
    def on_accepted(self, event):
        """Start following a case (its clocks come with the event)."""
        self.follow(event)

    @case_event_handler("routing", "case_routed")
    def on_routed(self, event):
        """The departments responsible are known: their step clocks start."""
        self.follow(event)

    @case_event_handler("routing", "case_held")
    def on_held(self, event):
        """Held for a department to be found."""
        self.follow(event)

    @case_event_handler("approval", "decision_made")
    def on_decision(self, event):
        """A department decided its part."""
        self.follow(event)

    @case_event_handler("approval", "case_decided")
    def on_decided(self, event):
        """The case is decided: the decision clocks stop, the issuance clock starts."""
        self.follow(event)

    @case_event_handler("delivery", "result_ready")
    def on_ready(self, event):
        """The result is ready to be issued (history only)."""
        handlers.record_event(self.uow(), event)

    @case_event_handler("approval", "supplement_requested")
    def on_supplement_requested(self, event):
        """补正: the clocks pause until the applicant brings the materials."""
        self.follow(event)

    @case_event_handler("intake", "supplement_submitted")
    def on_supplement_submitted(self, event):
        """The materials are in: the clocks resume."""
        self.follow(event)

    @case_event_handler("approval", "procedure_started")
    def on_procedure_started(self, event):
        """Art. 45: the time of a special procedure is not counted."""
        self.follow(event)

    @case_event_handler("approval", "procedure_ended")
    def on_procedure_ended(self, event):
        """The special procedure is over: the clocks resume."""
        self.follow(event)

    @case_event_handler("approval", "extension_granted")
    def on_extension(self, event):
        """Art. 42: an approved extension adds its working days."""
        self.follow(event)

    @case_event_handler("delivery", "result_issued")
    def on_issued(self, event):
        """Record the issue, then close the case with its on-time verdict."""
        self.follow(event)
        handlers.close_case(self.uow(), event)

    @timer(interval=settings.scan_every, eager=True)
    def check(self):
        """The periodic scan: warnings, notices, escalations; then the gauges when due."""
        observe_scan(self.store, handlers.scan_clocks(self.uow(), self.settings), self.settings)
