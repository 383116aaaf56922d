"""审批专用章: each department's approval seal, an Ed25519 key that signs decision documents.

A document is signed in its canonical JSON form (sorted keys, no spaces, UTF-8), so anyone
holding the text, the signature and the department's public key can check it; any change to
the text makes the check fail. The verification code printed on the paper is derived from the
signature. Where the private keys come from is the `Keyring`'s business: derived from a
deployment secret (`seed_from_secret`) or generated once and kept in approval's database (its
SealKeyStore) — never stored in the source repository.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def canonical(document: dict) -> str:
    """The one text form of a document that is signed and verified."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def seed_from_secret(secret: str, department: str, version: int = 1) -> bytes:
    """A department's 32-byte private seed derived from a deployment secret (HMAC-SHA256)."""
    if len(secret) < 16:
        raise ValueError("the seal secret must be at least 16 characters")
    return hmac.new(secret.encode(), f"hall-seal/{department}/v{version}".encode(), hashlib.sha256).digest()


def verification_code(signature: bytes) -> str:
    """16 characters in 4 groups (base32 of the signature's hash), printed on the document."""
    raw = base64.b32encode(hashlib.sha256(signature).digest()).decode()[:16]
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    raw = "".join(c for c in (code or "").upper() if c.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True)
class Seal:
    """One department's seal: its key id and private key."""
    department: str
    key_id: str
    private_key: Ed25519PrivateKey

    @classmethod
    def from_seed(cls, department: str, seed: bytes, version: int = 1) -> "Seal":
        return cls(department, f"{department}-v{version}", Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_key(self) -> str:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def sign(self, document: dict) -> dict:
        """The sealed record: the exact text signed, the signature, key and verification code."""
        text = canonical(document)
        signature = self.private_key.sign(text.encode())
        return {"document_json": text, "signature": base64.b64encode(signature).decode(),
                "key_id": self.key_id, "public_key": self.public_key,
                "code": verification_code(signature)}


def verify(document_json: str, signature_b64: str, public_key_b64: str) -> bool:
    """True only if the text is exactly what the seal signed."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), document_json.encode())
        return True
    except (InvalidSignature, ValueError):
        return False


class Keyring:
    """The departments' seals (审批专用章). With a seal secret (HALL_SEAL_SECRET: development,
    tests, or a secret mounted from the cluster's store) each key is derived from it per
    department and version, so every approval process signs alike and nothing private is
    stored. Without one, a random key is generated once per department and its seed kept in
    the store; the first writer wins. The public half is always recorded, so verification
    trusts the key on record, not the one a document claims."""
    VERSION = 1

    def __init__(self, store, secret: str = ""):
        self.store, self.secret = store, secret  # store: hall.domain.approval_store.SealKeyStore
        self._seals: dict[str, Seal] = {}
        self._lock = threading.Lock()

    def seal(self, department: str) -> Seal:
        with self._lock:
            if department not in self._seals:
                self._seals[department] = self._load(department)
            return self._seals[department]

    def _load(self, department: str) -> Seal:
        key_id = f"{department}-v{self.VERSION}"
        if self.secret:
            seal = Seal.from_seed(department, seed_from_secret(self.secret, department, self.VERSION), self.VERSION)
            self.store.record(key_id, department, seal.public_key)
            return seal
        seed = self.store.seed(key_id)
        if seed is None:
            fresh = os.urandom(32)
            made = self.store.record(key_id, department, Seal.from_seed(department, fresh, self.VERSION).public_key, fresh)
            seed = fresh if made else self.store.seed(key_id)  # another process made it first: theirs
        if seed is None:
            raise RuntimeError(f"seal key {key_id} is on record without its private seed: set HALL_SEAL_SECRET")
        return Seal.from_seed(department, seed, self.VERSION)

    def sign(self, department: str, document: dict) -> dict:
        return self.seal(department).sign(document)

    def public_key(self, key_id: str) -> str | None:
        """The public key on record for a key id (what verification trusts)."""
        department = key_id.rsplit("-v", 1)[0]
        if department in self._seals and self._seals[department].key_id == key_id:
            return self._seals[department].public_key
        return self.store.public_key(key_id)
