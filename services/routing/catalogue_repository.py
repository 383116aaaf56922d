"""Routing's record of the catalogue: one document per version holding its snapshot, and every
load or reload attempt with who asked, when and what came of it."""
from __future__ import annotations

import uuid
from datetime import datetime

import pymongo
from pymongo.errors import DuplicateKeyError

from hall.catalogue import Catalogue, to_snapshot
from hall.domain.identity import Actor


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")  # fixed width, so the strings sort by time


class CatalogueRepository:
    COLLECTIONS = ("catalogue_versions", "catalogue_reloads")

    def __init__(self, db):
        self.versions, self.reloads = db.catalogue_versions, db.catalogue_reloads
        self.reloads.create_index([("outcome", 1), ("at", -1)])

    def save_version(self, cat: Catalogue, at: datetime, actor: Actor) -> bool:
        """Keep a version's snapshot once, keyed by the version; False if it was kept before."""
        try:
            self.versions.insert_one({"_id": cat.version, "snapshot": to_snapshot(cat),
                                      "loaded_at": _iso(at), "loaded_by": actor.to_dict(),
                                      "items": len(cat.items)})
        except DuplicateKeyError:
            return False
        return True

    def snapshot(self, version: str) -> dict | None:
        doc = self.versions.find_one({"_id": version}, {"snapshot": 1})
        return doc and doc["snapshot"]

    def list_versions(self) -> list[dict]:
        """Every version ever loaded, oldest first, without the snapshots."""
        return list(self.versions.find({}, {"snapshot": 0}).sort("loaded_at", pymongo.ASCENDING))

    def record_attempt(self, at: datetime, actor: Actor, outcome: str, version: str | None,
                       previous: str | None, error: str = "") -> None:
        """outcome: loaded (the version came into force or stayed) or refused (invalid files)."""
        self.reloads.insert_one({"_id": uuid.uuid4().hex, "at": _iso(at), "actor": actor.to_dict(),
                                 "outcome": outcome, "version": version, "previous": previous,
                                 "error": error})

    def last_in_force(self) -> str | None:
        """The version the last successful load put in force (to fall back on at start)."""
        doc = self.reloads.find_one({"outcome": "loaded"}, {"version": 1},
                                    sort=[("at", pymongo.DESCENDING)])
        return doc and doc["version"]
