"""MongoDB access: one client per process, each service in its own database."""
from __future__ import annotations

import pymongo
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout

TRANSIENT = (AutoReconnect, ConnectionFailure, NetworkTimeout)


def connect(uri: str) -> pymongo.MongoClient:
    # Retries are made safe by the platform's own ids, not the driver (FACTS.md: retryable
    # writes slow the embedded server down).
    return pymongo.MongoClient(uri, retryWrites=False, serverSelectionTimeoutMS=5000,
                               connectTimeoutMS=3000, tz_aware=True)
