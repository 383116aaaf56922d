"""Group commit for inserts: concurrent workers' single inserts go to the database together.

On the embedded server an insert_many of N small documents costs little more than one
insert_one (FACTS.md), so a worker handling events concurrently commits its inserts in
batches. Each caller still waits for its own document to be durable and still gets its own
DuplicateKeyError, so idempotent handlers work unchanged.
"""
from __future__ import annotations

import queue
import threading
import time

from pymongo.errors import BulkWriteError, DuplicateKeyError


def _next_batch(q: queue.Queue, most: int, linger: float = 0.0) -> list:
    """Wait for one item, then take whatever else is queued within `linger` seconds of it
    (none: only what is already there), up to `most`."""
    batch = [q.get()]
    until = time.monotonic() + linger
    while len(batch) < most:
        try:
            left = until - time.monotonic()
            batch.append(q.get(timeout=left) if left > 0 else q.get_nowait())
        except queue.Empty:
            break
    return batch


class _Pending:
    __slots__ = ("doc", "done", "error", "result")

    def __init__(self, doc):
        self.doc, self.done, self.error, self.result = doc, threading.Event(), None, None


class InsertBatcher:
    """One flusher thread per collection; a batch is whatever queued while the last one ran."""

    def __init__(self, collection, max_batch: int = 200):
        self._coll, self._max = collection, max_batch
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._run, name=f"batch-{collection.name}", daemon=True).start()

    def insert_one(self, doc: dict) -> None:
        pending = _Pending(doc)
        self._queue.put(pending)
        pending.done.wait()
        if pending.error:
            raise pending.error

    def _run(self) -> None:
        while True:
            self._flush(_next_batch(self._queue, self._max))

    def _flush(self, batch: list[_Pending]) -> None:
        try:
            self._coll.insert_many([p.doc for p in batch], ordered=False)
        except BulkWriteError as exc:
            for err in exc.details.get("writeErrors", []):
                cls = DuplicateKeyError if err.get("code") == 11000 else BulkWriteError
                batch[err["index"]].error = cls(err.get("errmsg", "write error"), err.get("code"))
        except Exception as exc:  # the whole batch failed: every caller sees it
            for p in batch:
                p.error = exc
        for p in batch:
            p.done.set()


class _Collection:
    """A collection whose insert_one is group-committed; everything else passes through."""

    def __init__(self, coll, batcher: InsertBatcher):
        self._coll, self._batcher = coll, batcher

    def insert_one(self, doc, *args, **kwargs):
        self._batcher.insert_one(doc)
        return type("InsertOneResult", (), {"inserted_id": doc.get("_id"), "acknowledged": True})()

    def __getattr__(self, name):
        return getattr(self._coll, name)


class BatchingDatabase:
    """Wraps a pymongo Database so that every collection's insert_one is group-committed."""

    def __init__(self, db):
        self._db = db
        self._collections: dict[str, _Collection] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> _Collection:
        with self._lock:
            if name not in self._collections:
                coll = self._db[name]
                self._collections[name] = _Collection(coll, InsertBatcher(coll))
            return self._collections[name]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


class Coalescer:
    """Runs `work(keys) -> {key: result}` once for all the keys concurrent callers submitted
    while the previous run was going; each caller waits for and gets its own key's result."""

    def __init__(self, work, name: str, max_batch: int = 100, linger: float = 0.0):
        self._work, self._max, self._linger = work, max_batch, linger
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._run, name=f"coalesce-{name}", daemon=True).start()

    def submit(self, key):
        pending = _Pending(key)
        self._queue.put(pending)
        pending.done.wait()
        if pending.error:
            raise pending.error
        return pending.result

    def _run(self) -> None:
        while True:
            batch = _next_batch(self._queue, self._max, self._linger)
            try:
                results = self._work([p.doc for p in batch])
                for p in batch:
                    p.result = results.get(p.doc)
            except Exception as exc:
                for p in batch:
                    p.error = exc
            for p in batch:
                p.done.set()
