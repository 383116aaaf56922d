"""Counts kept by the writes that change them (the cases-by-status gauges), never by counting
stored documents: a process adds what it wrote in memory and adds the sums to one stored
document per key about every second, in one bulk request. Reading them is one small find
whatever the number of cases stored, and a write on the hot path costs no extra command.

Several processes may add to the same keys (`$inc` adds up). What a process added but had not
yet stored when it died is missing from the counts: gauges, not records, and never more than
about a second's writes of one process.
"""
from __future__ import annotations

import logging
import threading
import time

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

log = logging.getLogger(__name__)
COUNTED = "_counted"  # marks that the counts of what was stored before tallies began were taken


class Tallies:
    def __init__(self, collection, every: float = 1.0):
        self._coll, self._every = collection, every
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._run, name="tallies", daemon=True).start()

    def start_from(self, count) -> None:
        """Once per database: add the counts `count()` makes of what is already stored (a
        database older than its tallies); a later start, or another process, skips it."""
        if self._coll.find_one({"_id": COUNTED}) is not None:
            return
        try:
            self._coll.insert_one({"_id": COUNTED})
        except DuplicateKeyError:
            return
        for key, n in count().items():
            if n:
                self.add(key, n)
        self.flush()

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + n

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            self._coll.bulk_write([UpdateOne({"_id": k}, {"$inc": {"n": v}}, upsert=True)
                                   for k, v in pending.items()], ordered=False)
        except Exception:
            with self._lock:  # kept for the next flush
                for k, v in pending.items():
                    self._pending[k] = self._pending.get(k, 0) + v
            raise

    def counts(self, keys) -> dict[str, int]:
        """The stored count of each key plus what this process has not stored yet."""
        keys = list(keys)
        stored = {d["_id"]: d["n"] for d in self._coll.find({"_id": {"$in": keys}})}
        with self._lock:
            return {k: stored.get(k, 0) + self._pending.get(k, 0) for k in keys}

    def stop(self) -> None:
        self._stop.set()
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.flush()
            except Exception:
                log.warning("could not store the tallies; will retry", exc_info=True)
                time.sleep(self._every)
