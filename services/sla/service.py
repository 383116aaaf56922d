"""SLA (跟踪督办), event half: follows every step of every case, keeps each case's clock record,
scans the clocks on a timer to raise and escalate supervision notices, closes issued cases."""
from __future__ import annotations

import logging
import time
from datetime import datetime

from nameko import config as nameko_config
from nameko.timer import timer

from hall.catalogue import load_catalogue
from hall.domain import timeline
from hall.domain.clock import SHANGHAI
from hall.domain.events import Event
from hall.domain.workdays import WorkCalendar
from hall.infra import settings
from hall.infra.batch import Coalescer
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.sla import config, metrics, scan
from services.sla.repository import SlaRepository

log = logging.getLogger(__name__)
CONFIG = config.load()
_calendar = None
_chiefs = None


def calendar() -> WorkCalendar:
    global _calendar
    if _calendar is None:
        _calendar = WorkCalendar.load(settings.load().calendar_dir)
    return _calendar


def chiefs() -> dict:
    global _chiefs
    if _chiefs is None:
        _chiefs = scan.chiefs_of(load_catalogue(settings.load().reference_dir))
    return _chiefs


_refreshers: dict[int, Coalescer] = {}
# A case's events come in bursts (decision_made with case_decided, result_issued with the
# close); waiting this long gathers them, and other cases', into one rewrite of each record.
REFRESH_LINGER = 0.02


def refresh_and_observe(store, case_nos: list[str]) -> dict:
    """Refresh the records of `case_nos` together; a case decided by this refresh feeds the
    working-days histogram here, once, however many of its events shared the refresh."""
    results = store.refresh_many(case_nos, calendar(), CONFIG.policy, datetime.now(SHANGHAI).date())
    for before, after in results.values():
        if after and after.get("decided_on") and not (before and before.get("decided_on")):
            metrics.DAYS_TO_DECISION.labels(after["lead"], after["site"]).observe(after["working_days"])
    return results


def refresher(store) -> Coalescer:
    """One coalescer per repository (per worker process)."""
    if id(store) not in _refreshers:
        _refreshers[id(store)] = Coalescer(lambda case_nos: refresh_and_observe(store, case_nos),
                                           "clock-refresh", linger=REFRESH_LINGER)
    return _refreshers[id(store)]


class SlaService:
    name = "sla"
    store = Store("sla", SlaRepository)
    _gauges_at = 0.0

    def follow(self, event: Event) -> None:
        """Record an event once and bring its case's clock record up to date (refreshes of
        cases handled at the same time go to the database together)."""
        self.store.record(event, event.source)
        refresher(self.store).submit(event.case_no)

    @case_event_handler("intake", "case_accepted")
    def on_accepted(self, event):
        """Start following a case (its clocks come with the event)."""
        self.follow(event)

    @case_event_handler("routing", "case_routed")
    def on_routed(self, event):
        self.follow(event)

    @case_event_handler("routing", "case_held")
    def on_held(self, event):
        self.follow(event)

    @case_event_handler("approval", "decision_made")
    def on_decision(self, event):
        self.follow(event)

    @case_event_handler("approval", "case_decided")
    def on_decided(self, event):
        self.follow(event)

    @case_event_handler("delivery", "result_ready")
    def on_ready(self, event):
        self.store.record(event, event.source)

    @case_event_handler("approval", "supplement_requested")
    def on_supplement_requested(self, event):
        """补正: the clocks pause until the applicant brings the materials."""
        self.follow(event)

    @case_event_handler("intake", "supplement_submitted")
    def on_supplement_submitted(self, event):
        self.follow(event)

    @case_event_handler("approval", "procedure_started")
    def on_procedure_started(self, event):
        """Art. 45: the time of a special procedure is not counted."""
        self.follow(event)

    @case_event_handler("approval", "procedure_ended")
    def on_procedure_ended(self, event):
        self.follow(event)

    @case_event_handler("approval", "extension_granted")
    def on_extension(self, event):
        """Art. 42: an approved extension adds its working days."""
        self.follow(event)

    @case_event_handler("delivery", "result_issued")
    def on_issued(self, event):
        """Record the issue, then close the case with its on-time verdict."""
        self.follow(event)
        closed = timeline.close(event, self.store.events(event.case_no), calendar())
        self.store.record(closed, "sla", own=True)

    @timer(interval=CONFIG.scan_every, eager=True)
    def check(self):
        """The periodic scan: warnings, notices, escalations; then the gauges when due."""
        counts = scan.scan(self.store, chiefs(), CONFIG)
        metrics.SCAN_SECONDS.observe(counts["seconds"])
        metrics.NOTICES.labels("raised").inc(counts["raised"])
        metrics.NOTICES.labels("escalated").inc(counts["escalated"])
        if counts["raised"] or counts["escalated"]:
            log.info("supervision scan: %s", counts)
        if time.monotonic() - SlaService._gauges_at >= CONFIG.gauges_every:
            SlaService._gauges_at = time.monotonic()
            metrics.set_case_gauges(self.store.open_records())
            metrics.DEAD_LETTERS.set(metrics.dead_letter_depth(nameko_config["AMQP_URI"]))
