"""Every write of intake's that causes an event hands it to the relay at once (issue 13): with
the outbox sweep effectively off, `supplement_submitted` reaches the bus within a second of the
SubmitSupplement that caused it."""
from __future__ import annotations

import time
import uuid

from kombu import Connection, Queue

from hall.infra.bus import event_exchange
from hall.v1 import common_pb2, frontdesk_pb2 as fd
from tests.integration.test_front_desk import Desk

NO_SWEEP = {"HALL_OUTBOX_SWEEP_SECONDS": "3600"}


def test_supplement_submitted_reaches_the_bus_within_a_second_without_the_sweep(own_hall):
    h = own_hall
    h.hall.env.update(NO_SWEEP)
    h.hall.start_all(["intake-api", "gateway"])  # no intake-worker: its relay sweeps too
    case_no = f"LX00-20260310-{uuid.uuid4().int % 10**8:08d}"
    h.db("intake").supplements.insert_one({  # a department's request, as intake-worker records it
        "_id": str(uuid.uuid4()), "case_no": case_no, "site": "LX00", "department": "SCJG",
        "reason": "章程需补正", "materials": [{"name": "公司章程", "problem": "缺少全体股东签字"}],
        "deadline_days": 5, "requested_at": "2026-03-10T10:00:00+08:00", "requested_by": {},
        "status": "waiting", "out": []})
    clerk = Desk(h, "clerk")
    with Connection(h.settings.amqp_uri) as conn:
        queue = Queue(f"test-supplement-{uuid.uuid4().hex[:8]}", exchange=event_exchange("intake"),
                      routing_key="supplement_submitted", exclusive=True)(conn.default_channel)
        queue.declare()
        clerk.SubmitSupplement(fd.SubmitSupplementRequest(
            idempotency_key="sup-1", case_no=case_no,
            materials=[common_pb2.Material(name="公司章程", form="original", count=1)]))
        submitted, deadline = time.monotonic(), time.monotonic() + 1.0
        got = None
        while got is None and time.monotonic() < deadline:
            got = queue.get(no_ack=True) or time.sleep(0.02)
        assert got is not None, "supplement_submitted did not reach the bus within a second"
        assert got.decode()["case_no"] == case_no and time.monotonic() - submitted < 1.0
