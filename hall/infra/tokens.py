"""Staff and service tokens: EdDSA (Ed25519) JWTs.

Only the staff service holds the private key and signs (`Signer`); every other process
verifies with the public keys (`Verifier`), so no other service can mint a token. A token
names the member of staff, the role of their shift, their site and department, the session
it belongs to (`sid`, so a sign-out or deactivation can revoke it) and its audience.

Key rotation: the signer has one key; a verifier accepts every public key it is given, found
by the token's `kid` header, so old and new verify side by side during a rotation
(docs/security.md)."""
from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hall.domain.errors import DomainError
from hall.domain.identity import Actor

ISSUER = "lixia-hall"
AUDIENCE = "hall"  # every service of the hall; tokens for anything else are refused here
ALGORITHM = "EdDSA"
MAX_TOKEN_BYTES = 4096


class InvalidToken(Exception):
    """The caller is not authenticated: no token, a bad signature, a wrong audience, an
    expired or revoked token."""


def write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only (0600), whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def generate_keypair(private_path: Path, public_path: Path) -> None:
    """A new Ed25519 signing key (mode 0600) and its public key (readable by every process)."""
    key = Ed25519PrivateKey.generate()
    write_private(private_path, key.private_bytes(serialization.Encoding.PEM,
                                                  serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    public_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")


def load_public_keys(paths) -> dict[str, Ed25519PublicKey]:
    """Public keys by key id, from PEM files (a path list, or an os.pathsep-separated string)."""
    if isinstance(paths, str):
        paths = [p for p in paths.split(os.pathsep) if p]
    keys = {}
    for p in paths:
        key = serialization.load_pem_public_key(Path(p).read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{p} is not an Ed25519 public key")
        keys[key_id(key)] = key
    if not keys:
        raise ValueError("no public key to verify tokens with")
    return keys


@dataclass(frozen=True)
class Claims:
    """A verified token: who, which session, until when."""
    actor: Actor
    sid: str
    issued_at: int
    expires_at: int
    audience: str


class Signer:
    """Mints tokens; held by the staff service alone."""

    def __init__(self, private_pem: bytes):
        self._key = serialization.load_pem_private_key(private_pem, password=None)
        if not isinstance(self._key, Ed25519PrivateKey):
            raise ValueError("the signing key is not an Ed25519 key")
        self.kid = key_id(self._key.public_key())

    @classmethod
    def from_file(cls, path: Path | str) -> "Signer":
        return cls(Path(path).read_bytes())

    def issue(self, actor: Actor, sid: str, ttl_seconds: int, audience: str = AUDIENCE,
              now: int | None = None) -> str:
        now = int(time.time()) if now is None else now
        claims = {"sub": actor.staff_id, "role": actor.role, "site": actor.site,
                  "dept": actor.department, "sid": sid, "iss": ISSUER, "aud": audience,
                  "iat": now, "exp": now + ttl_seconds}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})


class Revocations:
    """What a verifier must refuse although the signature holds: sessions signed out and
    staff deactivated. Kept fresh by `hall.infra.auth.RevocationFeed`."""

    def __init__(self):
        self.sessions: set[str] = set()
        self.staff: set[str] = set()

    def revoked(self, claims: "Claims") -> bool:
        return claims.sid in self.sessions or claims.actor.staff_id in self.staff


class Verifier:
    """Checks a token's signature, issuer, audience, expiry, claim types and revocation."""

    CACHE = 4096  # verified tokens kept: a shift's token is checked once per process, not per call

    def __init__(self, public_keys: dict[str, Ed25519PublicKey], audience: str = AUDIENCE,
                 revocations: Revocations | None = None):
        self.keys, self.audience = public_keys, audience
        self.revocations = revocations or Revocations()
        self._verified: OrderedDict[str, Claims] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_files(cls, paths, **kw) -> "Verifier":
        return cls(load_public_keys(paths), **kw)

    def verify(self, token: str) -> Claims:
        """The token's claims, or InvalidToken; revocation and expiry are checked every time,
        the signature once per token."""
        with self._lock:
            claims = self._verified.get(token)
        if claims is None or claims.expires_at <= time.time():
            claims = self._decode(token)
            with self._lock:
                self._verified[token] = claims
                while len(self._verified) > self.CACHE:
                    self._verified.popitem(last=False)
        if self.revocations.revoked(claims):
            raise InvalidToken("this session has ended (signed out or deactivated); sign in again")
        return claims

    def _decode(self, token: str) -> Claims:
        if not token or len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("invalid staff token: empty or too long")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise InvalidToken("invalid staff token: signed with a key this hall does not know")
            c = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER, audience=self.audience,
                           options={"require": ["sub", "role", "sid", "exp", "iat", "iss", "aud"]})
            fields = [c.get(k, "") for k in ("sub", "role", "site", "dept", "sid")]
            if not all(isinstance(f, str) for f in fields) or not isinstance(c["iat"], int):
                raise InvalidToken("invalid staff token: a claim has the wrong type")
            claims = Claims(Actor(*fields[:4]), fields[4], c["iat"], int(c["exp"]), self.audience)
        except InvalidToken:
            raise
        except (jwt.PyJWTError, DomainError, ValueError, TypeError) as exc:
            raise InvalidToken(f"invalid staff token: {str(exc)[:80]}") from None
        return claims
