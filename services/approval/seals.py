"""Where the departments' seal keys come from (审批专用章).

With HALL_SEAL_SECRET set (development, tests, or a secret mounted from the cluster's secret
store), each department's key is derived from it deterministically (HMAC-SHA256 per
department and key version), so every approval process signs with the same key and nothing
private is stored. Without it, a random key is generated once per department and kept in
approval's own database (collection `seal_keys`); the first writer wins. Private keys are
never in the repository. Public keys are always recorded in `seal_keys`, so verification
uses the key on record, not the one a document claims.
"""
from __future__ import annotations

import base64
import os
import threading

from pymongo.errors import DuplicateKeyError

from hall.domain.seal import Seal, seed_from_secret

VERSION = 1


class Keyring:
    def __init__(self, db, secret: str | None = None):
        self.db, self.secret = db, secret if secret is not None else os.environ.get("HALL_SEAL_SECRET", "")
        self._seals: dict[str, Seal] = {}
        self._lock = threading.Lock()

    def seal(self, department: str) -> Seal:
        with self._lock:
            if department not in self._seals:
                self._seals[department] = self._load(department)
            return self._seals[department]

    def _load(self, department: str) -> Seal:
        key_id = f"{department}-v{VERSION}"
        if self.secret:
            seal = Seal.from_seed(department, seed_from_secret(self.secret, department, VERSION), VERSION)
            self.db.seal_keys.update_one({"_id": key_id}, {"$setOnInsert": {
                "department": department, "public_key": seal.public_key, "source": "derived"}}, upsert=True)
            return seal
        doc = self.db.seal_keys.find_one({"_id": key_id})
        if doc is None:
            seed = os.urandom(32)
            seal = Seal.from_seed(department, seed, VERSION)
            try:
                self.db.seal_keys.insert_one({"_id": key_id, "department": department, "source": "stored",
                                              "public_key": seal.public_key,
                                              "seed": base64.b64encode(seed).decode()})
            except DuplicateKeyError:  # another process made it first: use theirs
                doc = self.db.seal_keys.find_one({"_id": key_id})
        if doc is not None:
            seal = Seal.from_seed(department, base64.b64decode(doc["seed"]), VERSION)
        return seal

    def sign(self, department: str, document: dict) -> dict:
        return self.seal(department).sign(document)

    def public_key(self, key_id: str) -> str | None:
        """The public key on record for a key id (what verification trusts)."""
        department = key_id.rsplit("-v", 1)[0]
        if department in self._seals and self._seals[department].key_id == key_id:
            return self._seals[department].public_key
        doc = self.db.seal_keys.find_one({"_id": key_id}, {"public_key": 1})
        return doc and doc["public_key"]
