"""A street node's own RabbitMQ joined to the district's by shovels: its events go up, the
district's results for its site come down, and a cut link loses nothing and keeps order."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from kombu import Connection, Exchange, Queue

from hall.domain.events import new_event
from hall.infra.bus import Publisher
from hall.runtime import broker_node, rabbit
from hall.runtime.broker_node import BrokerNode, Link
from tests.integration.hallfixture import eventually, free_port_base
from tests.integration.tcpproxy import TcpProxy

ACTOR = {"staff_id": "LX03-C01", "role": "clerk", "site": "LX03", "department": ""}


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    """A second RabbitMQ node (the street centre's), the district's vhost on the machine's
    broker, and a relay between them that the tests cut and restore."""
    base = free_port_base(3)
    node = BrokerNode(tmp_path_factory.mktemp("street-broker"), f"street-test-{uuid.uuid4().hex[:6]}",
                      base, base + 1, base + 2)
    node.start()
    vhost = rabbit.create_vhost(f"street-test-{uuid.uuid4().hex[:8]}")
    proxy = TcpProxy(5672, free_port_base(1)).start()
    link = Link("LX03", node.amqp_uri(), node.management_url, rabbit.amqp_uri(vhost, port=proxy.port))
    broker_node.set_up(link)
    yield node, link, proxy, rabbit.amqp_uri(vhost)
    proxy.close()
    node.stop()
    rabbit.delete_vhost(vhost)


def listen(uri: str, exchange: str, key: str, name: str) -> Queue:
    q = Queue(name, exchange=Exchange(exchange, type="topic", durable=True), routing_key=key, durable=True)
    with Connection(uri) as conn:
        q(conn.default_channel).declare()
    return q


def drain(uri: str, queue: Queue, want: int, timeout: float = 30) -> list[dict]:
    got: list[dict] = []

    def more():
        with Connection(uri) as conn:
            bound = queue(conn.default_channel)
            while (m := bound.get(no_ack=True)) is not None:
                got.append(m.payload)
        return len(got) >= want
    eventually(more, f"{want} messages on {queue.name}", timeout=timeout, every=0.3)
    return got


def event(type_: str, site: str = "LX03", n: int = 0) -> dict:
    return new_event(type_, f"{site}-20261203-{n:05d}", site, datetime.now(timezone.utc), ACTOR,
                     {"n": n}).to_dict()


def test_events_accepted_at_the_node_reach_the_district_and_only_its_sites_results_come_down(street):
    node, link, _, district = street
    up = listen(district, "intake.events", "case_accepted", "t-up-1")
    down = listen(node.amqp_uri(), broker_node.DOWN_EXCHANGE, "result_forwarded", "t-down-1")
    eventually(lambda: broker_node.link_status(link).up, "the link up")
    at_node, at_district = Publisher(node.amqp_uri()), Publisher(district)
    sent = event("case_accepted", n=1)
    at_node.publish_event(sent, "intake")
    assert [e["id"] for e in drain(district, up, 1)] == [sent["id"]]
    mine, other = event("result_forwarded", n=2), event("result_forwarded", site="LX05", n=3)
    at_district.publish_event(other, "delivery")
    at_district.publish_event(mine, "delivery")
    assert [e["id"] for e in drain(node.amqp_uri(), down, 1)] == [mine["id"]]
    assert drain(node.amqp_uri(), down, 0) == []


def test_while_the_link_is_cut_events_wait_at_the_node_and_arrive_once_in_order_after(street):
    node, link, proxy, district = street
    up = listen(district, "intake.events", "case_accepted", "t-up-2")
    eventually(lambda: broker_node.link_status(link).up, "the link up")
    proxy.cut()
    eventually(lambda: not broker_node.link_status(link).up, "the shovels to notice the cut")
    at_node = Publisher(node.amqp_uri())
    sent = [event("case_accepted", n=i) for i in range(40)]
    for e in sent:
        at_node.publish_event(e, "intake")
    status = eventually(lambda: (s := broker_node.link_status(link)).up_backlog >= 40 and s, "the backlog")
    assert status.reachable and not status.up
    assert drain(district, up, 0) == []
    proxy.restore()
    got = drain(district, up, 40, timeout=60)
    assert [e["id"] for e in got] == [e["id"] for e in sent]
    eventually(lambda: broker_node.link_status(link).up_backlog == 0, "the backlog gone")
