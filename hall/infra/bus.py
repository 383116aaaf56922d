"""The message bus as seen from plain code: publishing case events and dead letters with kombu.

Events go to the topic exchange "<source service>.events" with the event type as routing key,
exactly as Nameko's EventDispatcher does, so Nameko event handlers receive them unchanged.
Messages are persistent and every publish waits for the broker's confirm.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from kombu import Connection, Exchange, Queue

DEAD_LETTER_EXCHANGE = Exchange("hall.dead-letter", type="fanout", durable=True)
DEAD_LETTER_QUEUE = Queue("hall.dead-letter", exchange=DEAD_LETTER_EXCHANGE, durable=True)


def event_exchange(source: str) -> Exchange:
    return Exchange(f"{source}.events", type="topic", durable=True)


class Publisher:
    """A confirmed, persistent publisher that reconnects; safe to share between threads."""

    def __init__(self, amqp_uri: str):
        self._conn = Connection(amqp_uri, transport_options={"confirm_publish": True})
        self._lock = threading.Lock()
        self._producer = None

    def _ensure(self):
        if self._producer is None:
            self._producer = self._conn.Producer(serializer="json")
        return self._producer

    def publish(self, body, exchange: Exchange, routing_key: str, headers: dict | None = None,
                declare=()) -> None:
        with self._lock:
            try:
                self._ensure().publish(body, exchange=exchange, routing_key=routing_key,
                                       delivery_mode=2, headers=headers or {},
                                       declare=[exchange, *declare], retry=True,
                                       retry_policy={"max_retries": 3, "interval_start": 0.2})
            except Exception:
                self._producer = None
                self._conn = self._conn.clone()
                raise

    def publish_event(self, event: dict, source: str) -> None:
        """The event under its type; its site also as a header, by which the district's broker
        sends a street centre's events down to that centre's node (hall/runtime/broker_node.py)."""
        self.publish(event, event_exchange(source), event["type"], headers={"site": event["site"]})

    def dead_letter(self, body, reason: str, queue: str, service: str) -> None:
        """Park a message that cannot be handled, with the reason, for an operator to look at."""
        headers = {"x-reason": reason[:1000], "x-original-queue": queue, "x-service": service,
                   "x-failed-at": datetime.now(timezone.utc).isoformat()}
        self.publish(body, DEAD_LETTER_EXCHANGE, "", headers, declare=[DEAD_LETTER_QUEUE])

    def close(self) -> None:
        with self._lock:
            self._conn.release()
