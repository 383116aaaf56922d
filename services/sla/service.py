"""SLA (跟踪督办), event half: follows every step of every case and closes issued cases."""
from __future__ import annotations

from hall.domain import timeline
from hall.domain.events import Event
from hall.domain.workdays import WorkCalendar
from hall.infra import settings
from hall.infra.nameko_events import case_event_handler
from hall.infra.nameko_store import Store
from services.sla.repository import TimelineRepository

_calendar = None


def calendar() -> WorkCalendar:
    global _calendar
    if _calendar is None:
        _calendar = WorkCalendar.load(settings.load().calendar_dir)
    return _calendar


class SlaService:
    name = "sla"
    store = Store("sla", TimelineRepository)

    @case_event_handler("intake", "case_accepted")
    def on_accepted(self, event):
        """Start following a case (its clocks come with the event)."""
        self.store.record(event, event.source)

    @case_event_handler("routing", "case_routed")
    def on_routed(self, event):
        self.store.record(event, event.source)

    @case_event_handler("routing", "case_held")
    def on_held(self, event):
        self.store.record(event, event.source)

    @case_event_handler("approval", "decision_made")
    def on_decision(self, event):
        self.store.record(event, event.source)

    @case_event_handler("approval", "case_decided")
    def on_decided(self, event):
        self.store.record(event, event.source)

    @case_event_handler("delivery", "result_ready")
    def on_ready(self, event):
        self.store.record(event, event.source)

    @case_event_handler("delivery", "result_issued")
    def on_issued(self, event):
        """Record the issue, then close the case with its on-time verdict."""
        self.store.record(event, event.source)
        decided = self.store.first(event.case_no, "case_decided")
        closed = timeline.close(event, self.store.first(event.case_no, "case_accepted"),
                                decided and decided["at"], calendar())
        self.store.record(closed, "sla", own=True)
