"""The outbox against the real database and broker: what the sweep republishes and what it
leaves alone, and that it does not ask the database about events its own relay published."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pymongo
import pytest
from kombu import Connection, Queue

from hall.infra.bus import Publisher, event_exchange
from hall.infra.outbox import Outbox, stamp
from hall.runtime import rabbit
from tests.integration.helpers import CommandLog


def _event(case_no: str) -> dict:
    return {"id": uuid.uuid4().hex, "type": "case_accepted", "case_no": case_no, "site": "LX00",
            "at": "2026-11-25T10:00:00+08:00", "actor": {}, "data": {}, "v": 1}


@pytest.fixture
def bus():
    vhost = rabbit.create_vhost(f"hall-test-outbox-{uuid.uuid4().hex[:8]}")
    uri = rabbit.amqp_uri(vhost)
    queue = Queue(f"watch-{uuid.uuid4().hex[:6]}", exchange=event_exchange("intake"), routing_key="#")
    with Connection(uri) as conn:
        queue(conn.channel()).declare()
        yield uri, conn, queue
    rabbit.delete_vhost(vhost)


def _received(conn, queue) -> list[str]:
    ids = []
    with conn.Consumer([queue], callbacks=[lambda body, m: (ids.append(body["id"]), m.ack())], accept=["json"]):
        while True:
            try:
                conn.drain_events(timeout=0.5)
            except TimeoutError:
                return ids


def test_the_sweep_republishes_only_what_no_relay_published_and_skips_its_own_without_a_lookup(mongo_uri, bus):
    uri, conn, queue = bus
    log = CommandLog()
    db = pymongo.MongoClient(mongo_uri, retryWrites=False, event_listeners=[log])[f"t{uuid.uuid4().hex[:8]}_outbox"]
    publisher = Publisher(uri)
    outbox = Outbox(db, publisher, ("things",))
    ours, orphan = _event("LX00-20261125-00001"), _event("LX00-20261125-00002")
    db.things.insert_one(stamp({"_id": "a", "out": [ours]}))
    outbox._publish([ours])  # what the relay does right after the write

    log.seen.clear()
    assert outbox.sweep(in_flight=timedelta(0)) == 1
    assert ("find", "published") not in log.seen  # its own relay published it: nothing to look up
    assert _received(conn, queue) == [ours["id"]]

    db.things.insert_one(stamp({"_id": "b", "out": [orphan]}))  # written, then the writer died
    db.outbox_checkpoint.delete_many({})
    assert outbox.sweep(in_flight=timedelta(0)) == 2
    assert log.seen.count(("find", "published")) == 1  # one lookup, for the orphan alone
    assert _received(conn, queue) == [orphan["id"]]  # published once, and only it

    # a second relay (another replica, or this service after a restart) knows neither event
    # by memory: it looks them up, finds both marked, and publishes nothing again
    outbox._record_marks()
    db.outbox_checkpoint.delete_many({})
    Outbox(db, publisher, ("things",)).sweep(in_flight=timedelta(0))
    assert _received(conn, queue) == []
    publisher.close()


def test_which_ids_are_stored_is_answered_right_across_chunks(mongo_uri):
    from hall.infra.mongo import ids_present
    coll = pymongo.MongoClient(mongo_uri, retryWrites=False)[f"t{uuid.uuid4().hex[:8]}_ids"].marks
    stored = [uuid.uuid4().hex for _ in range(130)]
    coll.insert_many([{"_id": i} for i in stored])
    asked = stored[::2] + [uuid.uuid4().hex for _ in range(70)]
    assert ids_present(coll, asked, chunk=50) == set(stored[::2])
    assert ids_present(coll, []) == set()
