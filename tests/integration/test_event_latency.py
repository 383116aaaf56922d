"""Every write that causes an event hands it to the outbox relay at once (issue 13): with the
periodic sweep turned off, each event of a case's life reaches the bus — where its consumers'
queues get it — within a second of the call (or the event) that caused it."""
from __future__ import annotations

import random
import threading
import time
import uuid

import pytest
from kombu import Connection, Queue, binding

from hall.domain.events import EVENT_SOURCES
from hall.infra.bus import event_exchange
from hall.tools.sample import person
from hall.v1 import common_pb2, frontdesk_pb2 as fd
from tests.integration.hallfixture import eventually
from tests.integration.helpers import publish_raw
from tests.integration.test_back_office import Desk, accepted_event, chief
from tests.integration.test_issuance import SIGNATURE, Desk as IssuanceDesk, messages

LIMIT = 1.0  # seconds from the cause to the event on the bus
NO_SWEEP = {"HALL_OUTBOX_SWEEP_SECONDS": "3600"}


class BusLog:
    """Hears every case event on every service's exchange and notes when each arrived."""

    def __init__(self, amqp_uri: str):
        self.arrived: dict[tuple[str, str], float] = {}
        self._uri, self._stop, self._ready = amqp_uri, threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    def _run(self) -> None:
        with Connection(self._uri) as conn:
            name = f"latency-{uuid.uuid4().hex[:8]}"
            queues = [Queue(name, bindings=[binding(event_exchange(src), routing_key="#")
                                            for src in sorted(set(EVENT_SOURCES.values()))],
                            auto_delete=True, exclusive=True)]

            def on(body, message):
                self.arrived.setdefault((body.get("case_no", ""), body.get("type", "")), time.monotonic())
                message.ack()

            with conn.Consumer(queues, callbacks=[on], accept=["json"]):
                self._ready.set()
                while not self._stop.is_set():
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass

    def at(self, case_no: str, type_: str, timeout: float = 15.0) -> float:
        return eventually(lambda: self.arrived.get((case_no, type_)), f"{type_} of {case_no} on the bus", timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


@pytest.fixture
def quiet_hall(own_hall):
    """A hall whose relays never sweep: an event not handed over at once would not come."""
    own_hall.hall.env.update(NO_SWEEP)
    own_hall.hall.start_all()
    log = BusLog(own_hall.settings.amqp_uri)
    yield own_hall, log
    log.close()


def within(log: BusLog, started: float, case_no: str, *types: str) -> float:
    """Each event arrived within LIMIT of `started` (a call's return, or its cause's arrival)."""
    last = started
    for type_ in types:
        arrived = log.at(case_no, type_)
        assert arrived - started <= LIMIT, f"{type_} came {arrived - started:.2f} s after its cause"
        last = max(last, arrived)
    return last


def test_each_event_reaches_the_bus_within_a_second_of_its_cause_without_a_sweep(quiet_hall, catalogue, items):
    h, log = quiet_hall
    item = items["single"]
    clerk = h.client("clerk")
    t = time.monotonic()
    case_no = clerk.accept(item.code, person(random.Random(91)), materials=[
        {"name": m.name, "form": m.form, "count": m.count} for m in item.materials if m.required][:1]).case_no
    accepted = within(log, t, case_no, "case_accepted")
    within(log, accepted, case_no, "case_routed")

    reviewer, head = Desk(h, "reviewer", item.lead, "lat-reviewer"), chief(h, catalogue, item.lead)
    eventually(lambda: reviewer.GetReview(case_no=case_no), "the case on the worklist")
    reviewer.Claim(case_no=case_no)
    from hall.v1 import backoffice_pb2 as bo
    reviewer.RequestSupplement(case_no=case_no, reason="材料需补正",
                               materials=[bo.MaterialProblem(name="申请书", problem="缺少签字")])
    within(log, time.monotonic(), case_no, "supplement_requested")
    desk = FrontDesk(h)
    eventually(lambda: [s for s in desk.ListSupplements(fd.ListSupplementsRequest()).supplements
                        if s.case_no == case_no], "the supplement request at the front desk")
    desk.SubmitSupplement(fd.SubmitSupplementRequest(idempotency_key=f"lat-{case_no}", case_no=case_no,
                                                     materials=[common_pb2.Material(name="申请书", form="original", count=1)]))
    within(log, time.monotonic(), case_no, "supplement_submitted")

    eventually(lambda: reviewer.GetReview(case_no=case_no).departments[0].status == "pending", "the review resumed")
    for call, type_ in ((lambda: reviewer.StartProcedure(case_no=case_no, kind="现场勘验", expected_days=3,
                                                         note="现场勘验约需3个工作日"), "procedure_started"),
                        (lambda: reviewer.EndProcedure(case_no=case_no), "procedure_ended")):
        call()
        within(log, time.monotonic(), case_no, type_)
    reviewer.RequestExtension(case_no=case_no, reason="需补充核查")
    head.DecideExtension(case_no=case_no, approve=True)
    within(log, time.monotonic(), case_no, "extension_granted")
    reviewer.Decide(case_no=case_no, outcome="approve")
    decided = within(log, time.monotonic(), case_no, "decision_made", "case_decided")
    ready = within(log, decided, case_no, "result_ready")

    issuer = IssuanceDesk(h)
    code = eventually(lambda: messages(h, case_no, "pickup_code"), "the pickup code message")[0]["code"]
    from hall.v1 import issuance_pb2 as ipb
    issuer.Collect(ipb.CollectRequest(case_no=case_no, pickup_code=code, position="LX00-I01",
                                      id_number=person(random.Random(91))["id_number"], signature=SIGNATURE))
    issued = within(log, time.monotonic(), case_no, "result_issued")
    within(log, issued, case_no, "case_closed")
    assert ready


def test_a_held_case_and_its_dispatch_reach_the_bus_at_once(quiet_hall):
    h, log = quiet_hall
    case_no = f"LX00-20260101-{uuid.uuid4().int % 10**8:08d}"
    publish_raw(h.settings, "intake", "case_accepted", accepted_event(case_no, []))
    held = log.at(case_no, "case_held")
    assert held - log.at(case_no, "case_accepted") <= LIMIT
    eventually(lambda: any(c.case_no == case_no for c in Desk(h, "supervisor").ListHeld().cases), "the held case")
    Desk(h, "supervisor").DispatchHeld(case_no=case_no, departments=["SYJ"], note="按职责转办")
    within(log, time.monotonic(), case_no, "case_dispatched")


class FrontDesk:
    """A clerk at hall.v1.FrontDesk."""

    def __init__(self, h):
        from hall.v1 import frontdesk_pb2_grpc
        client = h.client("clerk")
        self.stub, self.md = frontdesk_pb2_grpc.FrontDeskStub(h.channel), client.metadata

    def __getattr__(self, rpc):
        return lambda request: getattr(self.stub, rpc)(request, metadata=self.md, timeout=10)
