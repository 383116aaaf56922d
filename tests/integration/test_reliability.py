"""Nothing is lost between a write and its event, nothing happens twice, and a message that
cannot be handled is parked with its reason instead of vanishing or looping."""
from __future__ import annotations

import json
import subprocess
import time
import uuid

import grpc

from hall.tools.sample import person
from tests.integration.helpers import dead_letters, metric, publish_raw, queue_depth
from tests.integration.hallfixture import eventually
from tests.integration.test_case_pipeline import run_case


def test_an_event_stored_but_not_published_when_intake_died_is_published_after_restart(own_hall, items):
    h = own_hall
    for name in ("routing-api", "staff-api", "gateway", "routing-worker", "sla-api", "sla-worker"):
        h.hall.start(name)
    dying = h.hall.start("intake-api", {"HALL_FAULT": "exit_before_publish"})
    for name in ("routing-api", "staff-api", "gateway", "routing-worker", "sla-api", "sla-worker", "intake-api"):
        h.hall.wait_ready(name)
    clerk = h.client("clerk")
    applicant = person()
    try:
        first = clerk.accept(items["single"].code, applicant, key="crash-1").case_no
    except grpc.RpcError:
        first = None  # died before answering; the retry below tells the number
    assert dying.wait(10) == 70, "intake should have died between its write and its publish"
    stored = h.db("intake").cases.find_one({"idem": "LX00/crash-1"})
    assert stored is not None and first in (None, stored["_id"])
    time.sleep(1.0)
    assert h.db("routing").routes.count_documents({"case_no": stored["_id"]}) == 0

    h.hall.procs.pop("intake-api")
    h.hall.start("intake-api")
    h.hall.wait_ready("intake-api")
    again = clerk.accept(items["single"].code, applicant, key="crash-1")
    assert again.case_no == stored["_id"] and again.replayed
    view = eventually(lambda: (v := clerk.case(again.case_no)).status == "routed" and v, "routing")
    assert [e.event_type for e in view.history] == ["case_accepted", "case_routed"]


def subscribers(settings, source: str, type_: str) -> set[str]:
    """The queues bound to one event type, as RabbitMQ lists them."""
    vhost = settings.amqp_uri.rsplit("/", 1)[-1]
    out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name"],
                         capture_output=True, text=True, timeout=60).stdout.split()
    return {q for q in out if q.startswith(f"evt-{source}-{type_}--")}


def test_a_message_that_is_not_a_case_event_goes_to_the_dead_letter_queue_with_its_reason(hall):
    marker = uuid.uuid4().hex
    queues = subscribers(hall.settings, "intake", "case_accepted")
    assert {"evt-intake-case_accepted--routing.on_case_accepted",
            "evt-intake-case_accepted--sla.on_accepted"} <= queues
    publish_raw(hall.settings, "intake", "case_accepted", {"marker": marker})
    parked = []

    def every_subscriber_parked_its_copy():
        parked.extend((hd, b) for hd, b in dead_letters(hall.settings)
                      if isinstance(b, dict) and b.get("marker") == marker)
        return {hd["x-original-queue"] for hd, _ in parked} == queues
    eventually(every_subscriber_parked_its_copy, "a dead letter from every subscriber")
    assert len(parked) == len(queues)
    for headers, _ in parked:
        assert "invalid event" in headers["x-reason"] and "missing" in headers["x-reason"]
    assert all(queue_depth(hall.settings, q) == 0 for q in queues)


def test_an_event_its_handler_cannot_process_is_dead_lettered_once_not_redelivered_forever(hall):
    case_no = f"LX00-20260101-{uuid.uuid4().int % 10**8:08d}"
    bad = {"id": str(uuid.uuid4()), "type": "case_routed", "case_no": case_no, "site": "LX00",
           "at": "2026-11-25T10:00:00+08:00", "actor": {"staff_id": "system", "role": "system"},
           "data": {"item": {"code": "X"}}, "schema": 1}  # no departments: approval cannot open it
    publish_raw(hall.settings, "routing", "case_routed", bad)
    parked = eventually(lambda: [(hd, b) for hd, b in dead_letters(hall.settings)
                                 if isinstance(b, dict) and b.get("case_no") == case_no], "the dead letter")
    reasons = sorted(hd["x-service"] + ": " + hd["x-reason"] for hd, _ in parked)
    assert any(r.startswith("approval: KeyError") for r in reasons), reasons
    assert hall.db("approval").reviews.count_documents({"_id": case_no}) == 0
    time.sleep(1.0)
    assert not [b for _, b in dead_letters(hall.settings) if isinstance(b, dict) and b.get("case_no") == case_no]


def test_a_redelivered_event_changes_nothing_twice(hall, items):
    applicant = person()
    accepted, view = run_case(hall, items["single"], applicant)
    before = [(e.event_id, e.event_type) for e in view.history]
    handled = metric(hall.settings, "delivery-worker", "hall_events_handled_total",
                     service="delivery", type="case_decided")
    for e in view.history:
        if e.event_type in ("case_accepted", "case_decided"):
            source = {"case_accepted": "intake", "case_decided": "approval"}[e.event_type]
            publish_raw(hall.settings, source, e.event_type, {
                "id": e.event_id, "type": e.event_type, "case_no": accepted.case_no, "site": "LX00",
                "at": e.at, "actor": {"staff_id": e.actor.staff_id, "role": e.actor.role,
                                      "site": e.actor.site, "department": e.actor.department},
                "data": json.loads(e.detail_json), "schema": 1})
    eventually(lambda: metric(hall.settings, "delivery-worker", "hall_events_handled_total",
                              service="delivery", type="case_decided") > handled, "the redelivery")
    time.sleep(0.5)
    after = hall.client("clerk").case(accepted.case_no)
    assert [(e.event_id, e.event_type) for e in after.history] == before
    assert hall.db("routing").routes.count_documents({"case_no": accepted.case_no}) == 1
    notices = hall.db("delivery").issuances.find_one({"_id": accepted.case_no})["notices"]
    assert len(notices) == 1
