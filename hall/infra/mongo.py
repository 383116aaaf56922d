"""MongoDB access: one client per process, each service in its own database."""
from __future__ import annotations

import os

import pymongo
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout

TRANSIENT = (AutoReconnect, ConnectionFailure, NetworkTimeout)


def connect(uri: str) -> pymongo.MongoClient:
    # Retries are made safe by the platform's own ids, not the driver (FACTS.md: retryable
    # writes slow the embedded server down).
    # A small pool: the embedded server is one Python process, and many concurrent
    # connections from each service cost it more than they gain (measured with make bench).
    return pymongo.MongoClient(uri, retryWrites=False, serverSelectionTimeoutMS=5000,
                               connectTimeoutMS=3000, tz_aware=True,
                               maxPoolSize=int(os.environ.get("HALL_MONGO_POOL", "4")))
