"""The floor under the pipeline, measured in the same run: raw broker and raw database rates."""
from __future__ import annotations

import time
import uuid

import pymongo
from kombu import Connection, Exchange, Queue


def broker_rate(amqp_uri: str, n: int = 3000) -> float:
    """Persistent messages to a durable queue with publisher confirms, then consumed with acks."""
    name = f"bench-raw-{uuid.uuid4().hex[:8]}"
    exchange = Exchange(name, type="direct", durable=True)
    queue = Queue(name, exchange=exchange, routing_key=name, durable=True)
    body = {"id": "x" * 36, "type": "case_accepted", "data": {"k": "v" * 200}}
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer(serializer="json")
        bound = queue(conn.default_channel)
        bound.declare()
        started = time.perf_counter()
        for _ in range(n):
            producer.publish(body, exchange=exchange, routing_key=name, delivery_mode=2)
        got = 0
        while got < n:
            msg = bound.get(no_ack=False)
            if msg is not None:
                msg.ack()
                got += 1
        elapsed = time.perf_counter() - started
        bound.delete()
        exchange(conn.default_channel).delete()
    return n / elapsed


def database_rate(mongo_uri: str, n: int = 2000) -> float:
    """insert_one of small documents from one client, as a service writes."""
    client = pymongo.MongoClient(mongo_uri, retryWrites=False)
    coll = client[f"bench_raw_{uuid.uuid4().hex[:8]}"].docs
    started = time.perf_counter()
    for i in range(n):
        coll.insert_one({"_id": f"k{i}", "case_no": f"LX00-20261125-{i:05d}", "type": "case_accepted",
                         "data": {"k": "v" * 200}})
    elapsed = time.perf_counter() - started
    client.drop_database(coll.database.name)
    return n / elapsed
