"""The staff service's settings, all from the environment, and the service accounts file."""
from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from hall.domain.staff import TOKEN_TTL, parse_service_accounts
from hall.infra.settings import ROOT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffConfig:
    signing_key_file: Path            # HALL_SIGNING_KEY_FILE: the Ed25519 private key (PEM, 0600)
    admin_password_file: Path         # HALL_ADMIN_PASSWORD_FILE: where the first admin password goes
    service_accounts_file: Path | None  # HALL_SERVICE_ACCOUNTS_FILE: svc-<name>:<argon2 hash> lines
    token_ttl: int                    # HALL_TOKEN_TTL_SECONDS: a staff token's lifetime


def load(env=os.environ) -> StaffConfig:
    key = env.get("HALL_SIGNING_KEY_FILE")
    if not key:
        raise RuntimeError("HALL_SIGNING_KEY_FILE is not set: the staff service signs every token "
                           "and needs the hall's Ed25519 private key")
    accounts = env.get("HALL_SERVICE_ACCOUNTS_FILE")
    ttl = int(env.get("HALL_TOKEN_TTL_SECONDS", TOKEN_TTL))
    if not 60 <= ttl <= 24 * 3600:
        raise RuntimeError(f"HALL_TOKEN_TTL_SECONDS must be 60 to 86400, not {ttl}")
    return StaffConfig(
        signing_key_file=Path(key),
        admin_password_file=Path(env.get("HALL_ADMIN_PASSWORD_FILE", ROOT / "var" / "secrets" / "admin-password")),
        service_accounts_file=Path(accounts) if accounts else None,
        token_ttl=ttl)


class ServiceAccounts:
    """The hall's own processes and their argon2 hashes, read from a 0600 file the launcher
    writes; read again when it changes. A file others may read is refused, not used."""

    def __init__(self, path: Path | None):
        self.path = path
        self._stamp, self._hashes = None, {}

    def hash_of(self, account: str) -> str | None:
        return self._load().get(account)

    def _load(self) -> dict[str, str]:
        if self.path is None:
            return {}
        try:
            st = self.path.stat()
        except FileNotFoundError:
            log.error("service accounts file %s is missing: no service can sign in", self.path)
            return {}
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.error("service accounts file %s may be read by others (mode %o); refused, chmod 600",
                      self.path, stat.S_IMODE(st.st_mode))
            return {}
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp != self._stamp:
            self._hashes, self._stamp = parse_service_accounts(self.path.read_text()), stamp
        return self._hashes
