"""Routing's MongoDB adapters: the routes it decided, and — as the catalogue's owner — every
catalogue version with each load attempt; and the reference files themselves, read and
watched for changes (routing-api is the one process that reads reference/)."""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Callable

import pymongo
from prometheus_client import Counter
from pymongo.errors import DuplicateKeyError

from hall.catalogue import Catalogue, from_snapshot, load_catalogue, to_snapshot
from hall.catalogue.loader import catalogue_files
from hall.domain.events import Event
from hall.domain.identity import Actor
from hall.domain.ports import EventOutbox
from hall.domain.routing_store import CatalogueVersions, RouteRepository
from hall.infra.outbox import stamp

log = logging.getLogger(__name__)
RELOADS = Counter("hall_catalogue_reloads_total", "Catalogue loads and reloads", ["outcome"])


class MongoRouteRepository(RouteRepository):
    COLLECTIONS = ("routes",)

    def __init__(self, db, outbox: EventOutbox):
        super().__init__(outbox)
        self.db = db
        db.routes.create_index("case_no")

    def record(self, cause_id: str, event: Event) -> bool:
        try:
            self.db.routes.insert_one(stamp({"_id": cause_id, "case_no": event.case_no,
                                             "type": event.type, "out": [event.to_dict()]}))
        except DuplicateKeyError:
            return False
        self.outbox.handed([event.to_dict()])
        return True

    def held(self, case_no: str) -> dict | None:
        doc = self.db.routes.find_one({"case_no": case_no, "type": "case_held"})
        return doc and doc["out"][0]


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")  # fixed width, so the strings sort by time


class MongoCatalogueVersions(CatalogueVersions):
    """One document per version holding its snapshot; one per load or reload attempt."""

    def __init__(self, db):
        super().__init__()
        self.versions, self.reloads = db.catalogue_versions, db.catalogue_reloads
        self.reloads.create_index([("outcome", 1), ("at", -1)])
        self._records: dict[str, dict] = {}  # a version's record never changes once stored

    def save_version(self, catalogue: Catalogue, at: datetime, actor: Actor) -> bool:
        try:
            self.versions.insert_one({"_id": catalogue.version, "snapshot": to_snapshot(catalogue),
                                      "loaded_at": _iso(at), "loaded_by": actor.to_dict(),
                                      "items": len(catalogue.items)})
        except DuplicateKeyError:
            return False
        return True

    def stored(self, version: str) -> Catalogue | None:
        doc = self.versions.find_one({"_id": version}, {"snapshot": 1})
        return from_snapshot(doc["snapshot"]) if doc else None

    def list_versions(self) -> list[dict]:
        return list(self.versions.find({}, {"snapshot": 0}).sort("loaded_at", pymongo.ASCENDING))

    def version_record(self, version: str) -> dict | None:
        if version not in self._records:
            doc = self.versions.find_one({"_id": version}, {"snapshot": 0})
            if doc is None:
                return None
            self._records[version] = doc
        return self._records[version]

    def record_attempt(self, at: datetime, actor: Actor, outcome: str, version: str | None,
                       previous: str | None, error: str = "") -> None:
        self.reloads.insert_one({"_id": uuid.uuid4().hex, "at": _iso(at), "actor": actor.to_dict(),
                                 "outcome": outcome, "version": version, "previous": previous,
                                 "error": error})
        RELOADS.labels(outcome).inc()

    def last_in_force(self) -> str | None:
        doc = self.reloads.find_one({"outcome": "loaded"}, {"version": 1},
                                    sort=[("at", pymongo.DESCENDING)])
        return doc and doc["version"]


class ReferenceFiles:
    """The reference files: read whole and validated (CatalogueError naming file and entry),
    and watched by their names, sizes and modification times, cheap to compare often."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._seen: tuple | None = None
        self._stop = threading.Event()

    def read(self) -> Catalogue:
        """The catalogue the files hold now; raises CatalogueError if they are invalid."""
        self._seen = self.fingerprint()
        return load_catalogue(self.root)

    def fingerprint(self) -> tuple:
        out = []
        for path in catalogue_files(self.root):
            try:
                st = path.stat()
                out.append((path.as_posix(), st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                out.append((path.as_posix(), None, None))
        return tuple(out)

    def changed(self) -> bool:
        """Whether the files differ from what the last `read` saw."""
        return self.fingerprint() != self._seen

    def watch(self, every: float, on_change: Callable[[], None]) -> threading.Thread | None:
        """Call `on_change` whenever the files change, checking every `every` seconds (0: never)."""
        if every <= 0:
            return None
        t = threading.Thread(target=self._watch, args=(every, on_change), name="reference-watch", daemon=True)
        t.start()
        return t

    def _watch(self, every: float, on_change: Callable[[], None]) -> None:
        while not self._stop.wait(every):
            try:
                if self.changed():
                    on_change()
            except Exception:
                log.exception("checking the reference files failed")

    def stop(self) -> None:
        self._stop.set()
