"""After a chaos campaign: what every service's own store and the bus say happened to each case.

Each case must have exactly one acceptance (intake), one route per department (routing), one
decision (approval), one result ready and one issuance (delivery), and one close (sla); the
SLA timeline must hold each of its steps once (its entries are keyed by event id, so a second
entry of a type is a second event, not a redelivery); every call answered OK must have its
effect stored; the dead-letter queue is drained and each message listed with its reason.
"""
from __future__ import annotations

import time
from collections import Counter

import pymongo
from kombu import Connection

from hall.infra.bus import DEAD_LETTER_QUEUE

# the steps of a case, where they are stored, and the event each leaves in that store's outbox
EXPECTED = {"intake": ("case_accepted",), "approval": ("case_decided",),
            "delivery": ("result_ready", "result_issued"), "sla": ("case_closed",)}
TIMELINE = ("case_accepted", "case_routed", "case_decided", "result_ready", "result_issued", "case_closed")


def _retrying(fn, attempts: int = 30):
    for i in range(attempts):
        try:
            return fn()
        except pymongo.errors.PyMongoError:
            if i == attempts - 1:
                raise
            time.sleep(1)


def out_types(docs) -> dict[str, Counter]:
    """case_no -> how many events of each type the documents carry in their outbox field."""
    by: dict[str, Counter] = {}
    for d in docs:
        for e in d.get("out", []):
            by.setdefault(e["case_no"], Counter())[e["type"]] += 1
    return by


def dead_letters(amqp_uri: str) -> list[str]:
    out = []
    with Connection(amqp_uri, connect_timeout=10) as conn:
        queue = DEAD_LETTER_QUEUE(conn.default_channel)
        queue.declare()
        while (msg := queue.get(no_ack=False)) is not None:
            h, body = dict(msg.headers), msg.decode()
            what = f"{body.get('type', '?')} {body.get('case_no', '?')}" if isinstance(body, dict) else "?"
            out.append(f"{h.get('x-service')}: {what} from {h.get('x-original-queue')}: {h.get('x-reason')}")
            msg.ack()
    return out


def state_of(case_no: str, timeline: Counter) -> str:
    reached = [t for t in TIMELINE if timeline.get(t)]
    return reached[-1] if reached else "not on the SLA timeline"


def check(mongo, settings, broker, cases, settle: float = 60.0) -> dict:
    """Wait up to `settle` s for the queues to drain, then compare stores, bus and client."""
    end = time.monotonic() + settle
    while time.monotonic() < end:
        depth = {q: n for q, n in broker.queues().items()
                 if q != DEAD_LETTER_QUEUE.name and not q.startswith("chaos-watch-") and n}
        if not depth:
            break
        time.sleep(2)
    db = {s: mongo[settings.database(s)] for s in ("intake", "routing", "approval", "delivery", "sla")}
    intake = _retrying(lambda: list(db["intake"].cases.find({}, {"_id": 1, "idem": 1, "out": 1, "item": 1})))
    routes = _retrying(lambda: list(db["routing"].routes.find({}, {"case_no": 1, "type": 1, "out": 1})))
    stored = {"intake": out_types(intake),
              "approval": out_types(_retrying(lambda: list(db["approval"].reviews.find({}, {"out": 1})))),
              "delivery": out_types(_retrying(lambda: list(db["delivery"].issuances.find({}, {"out": 1})))),
              "sla": out_types(_retrying(lambda: list(db["sla"].timeline.find({"type": "case_closed"}, {"out": 1}))))}
    timeline: dict[str, Counter] = {}
    for e in _retrying(lambda: list(db["sla"].timeline.find({}, {"case_no": 1, "type": 1}))):
        timeline.setdefault(e["case_no"], Counter())[e["type"]] += 1
    routed: dict[str, Counter] = {}
    for r in routes:
        for e in r.get("out", []):
            for dept in e.get("data", {}).get("departments", []) or ["?"]:
                routed.setdefault(r["case_no"], Counter())[(e["type"], dept)] += 1

    problems: list[str] = []
    keys = Counter(d["idem"] for d in intake)
    problems += [f"idempotency key {k} stored {n} times" for k, n in keys.items() if n > 1]
    by_key = {c.key: c for c in cases}
    lost, duplicated, closed = set(), set(), 0
    for d in intake:
        case_no = d["_id"]
        line = timeline.get(case_no, Counter())
        if line.get("case_closed"):
            closed += 1
            gaps = [t for t in TIMELINE if not line.get(t)]
            if gaps:  # closed, yet an event of the case never reached the SLA service
                lost.add(case_no)
                problems.append(f"{case_no} closed, but its SLA timeline lacks {', '.join(gaps)}")
        else:
            client = by_key.get(d["idem"].split("/", 1)[-1])
            lost.add(case_no)
            problems.append(f"{case_no} not closed: state {state_of(case_no, line)}; client: "
                            f"{(client.failure or 'still waiting') if client else 'not ours'}")
        for service, types in EXPECTED.items():
            for t in types:
                n = stored[service].get(case_no, Counter())[t]
                if n > 1:
                    duplicated.add(case_no)
                    problems.append(f"{case_no}: {service} stored {t} {n} times")
        for t, n in line.items():
            if n > 1:
                duplicated.add(case_no)
                problems.append(f"{case_no}: the SLA timeline holds {n} {t} events")
        for (t, dept), n in routed.get(case_no, Counter()).items():
            if n > 1:
                duplicated.add(case_no)
                problems.append(f"{case_no}: routed to {dept} {n} times ({t})")
    in_store = {d["_id"] for d in intake}
    for c in cases:
        missing = []
        if c.accepted and c.case_no not in in_store:
            missing.append("accepted")
        if c.decided and not stored["approval"].get(c.case_no, Counter())["case_decided"]:
            missing.append("decided")
        if c.picked_up and not stored["delivery"].get(c.case_no, Counter())["result_issued"]:
            missing.append("picked up")
        if missing:
            lost.add(c.case_no or c.key)
            problems.append(f"{c.key} {c.case_no}: answered OK but not stored: {', '.join(missing)}")
    queued = sum(n for q, n in broker.queues().items()
                 if q != DEAD_LETTER_QUEUE.name and not q.startswith("chaos-watch-"))
    return {"accepted": len(intake), "closed": closed, "lost": len(lost), "duplicated": len(duplicated),
            "problems": problems, "dead_letters": dead_letters(settings.amqp_uri), "queued": queued}
