"""A worker whose broker connection is gone when it acks must not bring its service down, and a
worker failing while its service is being killed must not dead-letter an event that the broker
will redeliver anyway (both seen in the chaos campaign, bench/chaos.py)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from hall.domain.events import Event
from hall.infra import nameko_events
from hall.infra.nameko_events import CaseEventHandler


class LostConsumer:
    def __init__(self):
        self.tried = []

    def ack_message(self, message):
        self.tried.append("ack")
        raise ConnectionResetError(104, "Connection reset by peer")

    def requeue_message(self, message):
        self.tried.append("requeue")
        raise ConnectionResetError(104, "Connection reset by peer")


def handler(being_killed=False):
    h = CaseEventHandler.__new__(CaseEventHandler)
    h.container = SimpleNamespace(service_name="sla", _being_killed=being_killed)
    h.consumer = LostConsumer()
    h.queue = SimpleNamespace(name="evt-intake-case_accepted--sla.on_accepted")
    return h


def event():
    return Event.from_dict({"id": "e-1", "type": "case_accepted", "case_no": "LX00-20261203-00001",
                            "site": "LX00", "at": "2026-12-03T10:00:00+08:00",
                            "actor": {"staff_id": "c1", "role": "clerk"}, "data": {}, "schema": 1})


def message():
    return SimpleNamespace(hall_started=0.0)


def test_an_ack_on_a_lost_connection_is_left_to_the_brokers_redelivery():
    h = handler()
    worker = SimpleNamespace(args=[event()])
    assert h.handle_result(message(), worker, result="ok") == ("ok", None)
    assert h.consumer.tried == ["ack"]


def test_a_requeue_on_a_lost_connection_is_left_to_the_brokers_redelivery(monkeypatch):
    monkeypatch.setattr(nameko_events.time, "sleep", lambda s: None)
    h = handler()
    from pymongo.errors import AutoReconnect
    exc = AutoReconnect("db restarting")
    h.handle_result(message(), SimpleNamespace(args=[event()]), exc_info=(type(exc), exc, None))
    assert h.consumer.tried == ["requeue"]


def test_a_worker_failing_while_its_service_is_killed_dead_letters_nothing(monkeypatch):
    def no_dead_letters():
        raise AssertionError("dead-lettered")
    monkeypatch.setattr(nameko_events, "_publisher", no_dead_letters)
    h = handler(being_killed=True)
    from pymongo.errors import InvalidOperation
    exc = InvalidOperation("Cannot use MongoClient after close")
    result = h.handle_result(message(), SimpleNamespace(args=[event()]), exc_info=(type(exc), exc, None))
    assert result[1][1] is exc and h.consumer.tried == []


def test_any_other_ack_error_still_surfaces():
    h = handler()
    h.consumer.ack_message = lambda m: (_ for _ in ()).throw(ValueError("not a connection error"))
    with pytest.raises(ValueError):
        h.handle_result(message(), SimpleNamespace(args=[event()]), result="ok")
