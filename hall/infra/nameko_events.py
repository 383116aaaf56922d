"""A Nameko event entrypoint for case events, with a clear policy for failures.

- The body is parsed into an `Event`; a message that is not one is dead-lettered at once.
- A handler that raises a transient storage or broker error has its message requeued, up to
  MAX_ATTEMPTS, then dead-lettered.
- Any other error dead-letters the message with its reason. Nothing is dropped silently and
  nothing is redelivered forever.
- An ack or requeue that fails because the broker connection is gone is not an error of the
  worker: the broker redelivers every unacknowledged message of a lost connection, and the
  handlers are idempotent. (Raised, it killed the whole service container.)
- A worker failing while its container is being killed (dependencies closing) leaves its
  message unacknowledged for redelivery instead of dead-lettering it.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict

from amqp.exceptions import ConnectionError as AmqpConnectionError, RecoverableConnectionError
from kombu.exceptions import OperationalError
from nameko import config
from nameko.events import EventHandler

from hall.domain.events import Event, InvalidEvent
from hall.infra.bus import Publisher
from hall.infra.metrics import EVENT_SECONDS, EVENTS_FAILED, EVENTS_HANDLED
from hall.infra.mongo import TRANSIENT

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
LOST_CONNECTION = (OSError, AmqpConnectionError, RecoverableConnectionError)
_attempts: OrderedDict = OrderedDict()
_dead_letters: Publisher | None = None


def _publisher() -> Publisher:
    global _dead_letters
    if _dead_letters is None:
        _dead_letters = Publisher(config["AMQP_URI"])
    return _dead_letters


class CaseEventHandler(EventHandler):
    def handle_message(self, body, message):
        message.hall_started = time.perf_counter()
        try:
            event = Event.from_dict(body)
        except InvalidEvent as exc:
            self._dead_letter(body, message, f"invalid event: {exc}", body_type="invalid")
            return
        super().handle_message(event, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        event: Event = worker_ctx.args[0]
        service = self.container.service_name
        EVENT_SECONDS.labels(service, event.type).observe(time.perf_counter() - message.hall_started)
        if exc_info is None:
            EVENTS_HANDLED.labels(service, event.type).inc()
            _attempts.pop(event.id, None)
            self._settle(self.consumer.ack_message, message, event)
            return result, exc_info
        exc = exc_info[1]
        if getattr(self.container, "_being_killed", False):
            log.warning("leaving %s %s for redelivery: the service is stopping (%r)", event.type, event.id, exc)
            return result, exc_info
        attempt = _attempts.get(event.id, 0) + 1
        if isinstance(exc, (*TRANSIENT, OperationalError)) and attempt < MAX_ATTEMPTS:
            _attempts[event.id] = attempt
            while len(_attempts) > 10000:
                _attempts.popitem(last=False)
            EVENTS_FAILED.labels(service, event.type, "requeued").inc()
            log.warning("requeueing %s %s after %r (attempt %d)", event.type, event.id, exc, attempt)
            time.sleep(0.2 * attempt)
            self._settle(self.consumer.requeue_message, message, event)
        else:
            _attempts.pop(event.id, None)
            self._dead_letter(event.to_dict(), message, f"{type(exc).__name__}: {exc}", event.type)
        return result, exc_info

    def _settle(self, settle, message, what) -> None:
        """Ack or requeue; a lost connection means the broker redelivers the message anyway."""
        try:
            settle(message)
        except LOST_CONNECTION as exc:
            log.warning("could not settle %s (%r); the broker will redeliver it",
                        f"{what.type} {what.id}" if isinstance(what, Event) else what, exc)

    def _dead_letter(self, body, message, reason: str, body_type: str) -> None:
        service = self.container.service_name
        log.error("dead-lettering a message from %s: %s", self.queue.name, reason)
        try:
            _publisher().dead_letter(body, reason, self.queue.name, service)
        except Exception:
            log.exception("dead-letter publish failed; requeueing instead of dropping")
            self._settle(self.consumer.requeue_message, message, body_type)
            return
        EVENTS_FAILED.labels(service, body_type, "dead_lettered").inc()
        self._settle(self.consumer.ack_message, message, body_type)


case_event_handler = CaseEventHandler.decorator
