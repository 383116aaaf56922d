"""MongoDB access: one client per process, each service in its own database."""
from __future__ import annotations

import os

import pymongo
from pymongo import monitoring
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout

from hall.infra.metrics import DB_COMMANDS

TRANSIENT = (AutoReconnect, ConnectionFailure, NetworkTimeout)


class _CountCommands(monitoring.CommandListener):
    """Counts database commands by name, so operators (and make bench) see what each costs."""

    def started(self, event):
        DB_COMMANDS.labels(event.database_name.rsplit("_", 1)[-1], event.command_name).inc()

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def connect(uri: str) -> pymongo.MongoClient:
    # Retries are made safe by the platform's own ids, not the driver (FACTS.md: retryable
    # writes slow the embedded server down).
    # A small pool: the embedded server is one Python process, and many concurrent
    # connections from each service cost it more than they gain (measured with make bench).
    return pymongo.MongoClient(uri, retryWrites=False, serverSelectionTimeoutMS=5000,
                               connectTimeoutMS=3000, tz_aware=True,
                               maxPoolSize=int(os.environ.get("HALL_MONGO_POOL", "4")),
                               event_listeners=[_CountCommands()])


def ids_present(collection, ids: list, chunk: int = 50) -> set:
    """Which of `ids` are stored in `collection`. Asked in chunks: on the embedded server a
    lookup by $in grows faster than its list (500 ids cost ~25x what 50 do; make bench)."""
    found = set()
    for i in range(0, len(ids), chunk):
        found.update(d["_id"] for d in collection.find({"_id": {"$in": ids[i:i + chunk]}}, {"_id": 1}))
    return found
