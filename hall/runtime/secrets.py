"""The hall's keys and secrets on one machine (`make run`, the tests): the token signing key,
one secret per service account, the administrator's first password — each in a file of mode
0600, made once and kept, so a restart keeps every session and every password valid.
In Kubernetes the same files come from Secrets (deploy/k8s, docs/security.md)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher

from hall.domain.identity import PROCESS_ACCOUNTS
from hall.infra import tokens

# processes that call other services on their own behalf, by their service account
ACCOUNTS = tuple(a.removeprefix("svc-") for a in PROCESS_ACCOUNTS)
# client systems outside the hall's processes that sign in through the gateway: the online
# portal and the self-service kiosk (自助取号机) of each site, svc-kiosk-<site in lower case>
CLIENTS = ("portal",)


def account_of(process: str) -> str | None:
    """The service account a process signs in as (svc-intake for intake-api and intake-worker)."""
    service = process.rsplit("-", 1)[0] if process.endswith(("-api", "-worker")) else process
    return service if service in ACCOUNTS else None


def prepare(directory: Path, sites=()) -> dict[str, str]:
    """Make whatever is missing in `directory` (mode 0700) — with a kiosk account for each of
    `sites` — and return the environment every process shares (where the public keys are)."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    key, pub = directory / "signing.key", directory / "signing.pub"
    if not key.exists():
        tokens.generate_keypair(key, pub)
    listed = directory / "service-accounts"
    known = dict(line.split(":", 1) for line in listed.read_text().split()) if listed.exists() else {}
    hasher, lines = PasswordHasher(), []
    for account in (*ACCOUNTS, *CLIENTS, *(f"kiosk-{site.lower()}" for site in sites)):
        f = directory / f"svc-{account}.secret"
        if not f.exists():
            tokens.write_private(f, secrets.token_urlsafe(32).encode())
            known.pop(f"svc-{account}", None)
        hashed = known.get(f"svc-{account}") or hasher.hash(f.read_text().strip())
        lines.append(f"svc-{account}:{hashed}\n")
    tokens.write_private(listed, "".join(lines).encode())
    audit_key = directory / "audit.key"  # keys the audit's hashes of ID numbers (docs/audit.md)
    if not audit_key.exists():
        tokens.write_private(audit_key, secrets.token_urlsafe(32).encode())
    extra = os.environ.get("HALL_EXTRA_PUBLIC_KEYS", "")  # during a key rotation: the old key too
    return {"HALL_PUBLIC_KEYS": os.pathsep.join(p for p in (str(pub), extra) if p),
            "HALL_SECRETS_DIR": str(directory), "HALL_AUDIT_KEY_FILE": str(audit_key)}


def process_env(directory: Path, process: str) -> dict[str, str]:
    """What one process gets on top: its own service secret; the staff service its keys."""
    env = {}
    account = account_of(process)
    if account:
        env["HALL_SERVICE_SECRET_FILE"] = str(directory / f"svc-{account}.secret")
    if process == "staff-api":
        env.update({"HALL_SIGNING_KEY_FILE": str(directory / "signing.key"),
                    "HALL_SERVICE_ACCOUNTS_FILE": str(directory / "service-accounts"),
                    "HALL_ADMIN_PASSWORD_FILE": str(directory / "admin-password")})
    return env
