"""Transactional outbox: an event is stored in the same document write as the change that
caused it (field `out`), then published by a relay; nothing is lost between the two.

The relay publishes what it is handed right after the write. A sweep at start and every few
seconds republishes anything stored but not yet marked published (a crash between write and
publish, a broker outage). Publishing may repeat; every consumer is idempotent by event id.
Published marks are inserted in batches (cheap on the embedded server) rather than updated.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from datetime import datetime, timedelta, timezone

from pymongo.errors import BulkWriteError

from hall.domain.errors import StepOutOfOrder
from hall.domain.events import EVENT_SOURCES
from hall.domain.ports import EventOutbox
from hall.infra.mongo import ids_present

log = logging.getLogger(__name__)
GRACE = timedelta(seconds=10)  # longer than any write takes to become visible
IN_FLIGHT = timedelta(seconds=5)  # a relay publishes and marks its own events within this


def stamp(doc: dict) -> dict:
    """Mark a document as carrying events to publish (sets the time the sweep scans by)."""
    doc["out_at"] = datetime.now(timezone.utc)
    return doc


def save_if_unchanged(collection, outbox: "Outbox", doc_id: str, doc: dict, events: list[dict],
                      conflict: str) -> int:
    """Write a changed document with its events, if its `rev` is still the one it was read at
    (optimistic concurrency); returns the new rev. Raises StepOutOfOrder(conflict) otherwise."""
    doc = {k: v for k, v in doc.items() if k != "_id"}
    expected = doc["rev"]
    doc["rev"] = expected + 1
    result = collection.update_one({"_id": doc_id, "rev": expected},
                                   {"$set": stamp(doc), "$push": {"out": {"$each": events}}})
    if result.matched_count != 1:
        raise StepOutOfOrder(conflict)
    outbox.handed(events)
    return expected + 1


_fault_batches = [0]


def _fault_due() -> bool:
    """With HALL_FAULT_AFTER=n the fault strikes at the (n+1)-th publish, not the first: the
    chaos campaign lets a process work a while before it dies between a write and its publish."""
    _fault_batches[0] += 1
    return _fault_batches[0] > int(os.environ.get("HALL_FAULT_AFTER", "0"))


class Outbox(EventOutbox):
    """The relay of one process over its service's collections."""

    def __init__(self, db, publisher, collections: tuple[str, ...], sweep_every: float = 15.0):
        self._db, self._pub, self._collections = db, publisher, collections
        self._queue: queue.Queue = queue.Queue()
        self._sweep_every = sweep_every
        self._stop = threading.Event()
        self._marks: list[str] = []  # published, not yet recorded as such
        # ids this relay published lately: the sweep need not ask the database about them
        # (a lookup of hundreds of ids by $in cost the embedded server ~0.5 s per sweep)
        self._recent: dict[str, float] = {}
        self._recent_lock = threading.Lock()
        self._marked_at = time.monotonic()
        self._thread: threading.Thread | None = None
        for name in collections:
            db[name].create_index("out_at")

    def start(self) -> None:
        self.sweep(in_flight=timedelta(0))  # whatever a previous run of ours left unpublished
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread:
            self._thread.join(timeout=5)
        try:
            self._record_marks()
        except Exception:
            log.warning("could not record the last published marks; they will be republished")

    def handed(self, events: list[dict]) -> None:
        """Events just stored: publish them now (they are already safe in the database)."""
        for e in events:
            self._queue.put(e)

    def _run(self) -> None:
        last_sweep = time.monotonic()
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=1.0)
            except queue.Empty:
                first = None
            batch = [first] if first else []
            while len(batch) < 200:
                try:
                    e = self._queue.get_nowait()
                except queue.Empty:
                    break
                if e:
                    batch.append(e)
            try:
                if batch:
                    self._publish(batch)
                if len(self._marks) >= 500 or time.monotonic() - self._marked_at >= 1.0:
                    self._record_marks()
                if time.monotonic() - last_sweep >= self._sweep_every:
                    last_sweep = time.monotonic()
                    self.sweep()
            except Exception:  # the sweep will find what was not marked
                log.exception("outbox relay failed; will retry from the sweep")
                self._stop.wait(1.0)

    def _publish(self, events: list[dict]) -> None:
        if os.environ.get("HALL_FAULT") == "exit_before_publish" and _fault_due():
            os._exit(70)  # fault injection for the durability tests: die after the write
        for e in events:
            self._pub.publish_event(e, EVENT_SOURCES[e["type"]])
            self._marks.append(e["id"])
            with self._recent_lock:
                self._recent[e["id"]] = time.monotonic()

    def _record_marks(self) -> None:
        """Record what was published, in one insert. Marks lost in a crash only cause a
        harmless republish: every consumer is idempotent by event id."""
        marks, self._marks, self._marked_at = self._marks, [], time.monotonic()
        if not marks:
            return
        now = datetime.now(timezone.utc)
        try:
            self._db.published.insert_many([{"_id": m, "at": now} for m in marks], ordered=False)
        except BulkWriteError as exc:  # already marked by an earlier publish: fine
            if any(err["code"] != 11000 for err in exc.details["writeErrors"]):
                raise

    def _forget_old_recent(self) -> set[str]:
        """The ids published lately, after dropping those older than any sweep window."""
        keep = time.monotonic() - 2 * (self._sweep_every + GRACE.total_seconds() + IN_FLIGHT.total_seconds())
        with self._recent_lock:
            self._recent = {k: t for k, t in self._recent.items() if t >= keep}
            return set(self._recent)

    def sweep(self, in_flight: timedelta = IN_FLIGHT) -> int:
        """Publish every stored event since the checkpoint that is not marked published."""
        self._record_marks()
        started = datetime.now(timezone.utc)
        mark = self._db.outbox_checkpoint.find_one({"_id": "checkpoint"})
        since = mark["at"] if mark else datetime(1970, 1, 1, tzinfo=timezone.utc)
        stored = []
        for name in self._collections:
            # the last few seconds belong to the relays that wrote them
            window = {"$gte": since, "$lt": started - in_flight}
            for doc in self._db[name].find({"out_at": window}, {"out": 1}).batch_size(1000):
                stored.extend(doc.get("out", []))
        recent = self._forget_old_recent()
        unknown = [e for e in stored if e["id"] not in recent]
        if unknown:
            done = ids_present(self._db.published, [e["id"] for e in unknown])
            missing = [e for e in unknown if e["id"] not in done]
            if missing:
                log.warning("outbox sweep republishing %d event(s)", len(missing))
                self._publish(missing)
        self._db.outbox_checkpoint.replace_one(
            {"_id": "checkpoint"}, {"_id": "checkpoint", "at": started - GRACE}, upsert=True)
        return len(stored)
