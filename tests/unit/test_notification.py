"""Notices to the applicant: their texts, the port, and reminding and archiving uncollected results."""
from datetime import datetime, timedelta

import pytest

from hall.domain.clock import SHANGHAI
from hall.domain.collection import CollectionPolicy, due, scan
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM
from hall.domain.issuance import Issuance
from hall.domain.notification import Notice, compose
from hall.domain.shipment import DeliveryArea, EmsCarrier
from hall.domain.workdays import WorkCalendar
from tests.unit.fakes import MemoryNotifier

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
POLICY = CollectionPolicy(remind_after=timedelta(days=3), archive_after=timedelta(days=10))


def ready():
    event = new_event("case_decided", "LX00-20260302-00003", "LX00", NOW, SYSTEM.to_dict(),
                      {"outcome": "approved", "applicant": {"name": "张敏", "id_number": "x", "phone": "13900000002"}})
    return Issuance.prepare(event, NOW, WorkCalendar.load(), ["准予行政许可决定书"], "LX00", "出件区",
                            EmsCarrier(DeliveryArea({})), code=lambda: "000111")[0]


def test_a_notice_carries_the_hall_signature_the_case_and_the_code():
    n = compose("LX00-20260302-00003", 1, "pickup_code", "139", NOW, "000111", place="出件区", due="2026-03-16")
    assert n.text.startswith("【历下区政务服务中心】") and "000111" in n.text and "2026-03-16" in n.text
    assert Notice.from_dict(n.to_dict()) == n and n.id == "LX00-20260302-00003/1"
    with pytest.raises(ValueError):
        compose("x", 1, "spam", "139", NOW)


def test_the_notifier_sends_each_notice_once_by_its_id():
    notifier, n = MemoryNotifier(), compose("C1", 1, "reminder", "139", NOW, place="出件区")
    assert notifier.send(n) is True and notifier.send(n) is False and notifier.sent(["C1/1", "C1/2"]) == {"C1/1"}


def test_an_uncollected_result_is_reminded_every_period_then_archived_with_a_record():
    issuance = ready()
    assert scan(issuance, POLICY, NOW + timedelta(days=2)) == []
    [first] = scan(issuance, POLICY, NOW + timedelta(days=3))
    assert first.type == "reminder_sent" and first.data["n"] == 1
    assert scan(issuance, POLICY, NOW + timedelta(days=5)) == []
    [second] = scan(issuance, POLICY, NOW + timedelta(days=6, hours=1))
    assert second.data["n"] == 2 and first.id != second.id
    [archived] = scan(issuance, POLICY, NOW + timedelta(days=10))
    assert archived.type == "result_archived" and archived.data["reminders"] == 2
    assert issuance.status == "archived" and issuance.archived["archive_no"] == f"DA-{issuance.case_no}"
    assert [n.kind for n in issuance.fresh] == ["pickup_code", "reminder", "reminder", "archived"]
    assert due(issuance, POLICY, NOW + timedelta(days=100)) == ""


def test_a_reminder_has_the_same_event_id_when_the_scan_repeats_it():
    a, b = ready(), ready()
    assert scan(a, POLICY, NOW + timedelta(days=3))[0].id == scan(b, POLICY, NOW + timedelta(days=4))[0].id


def test_the_policy_refuses_periods_that_are_not_positive():
    with pytest.raises(ValueError):
        CollectionPolicy(remind_after=timedelta(0))
