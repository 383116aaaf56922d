"""The staff directory's rules: who a member of staff is, how they sign in, when they are locked
out, which role they take for a shift, who may administer the directory, and what every change
records. Plain Python; argon2 hashes the passwords and pyotp checks the one-time codes."""
from __future__ import annotations

import abc
import functools
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .clock import SHANGHAI
from .errors import InvalidArgument, PermissionDenied, StepOutOfOrder, Unauthenticated
from .identity import Actor

STAFF_ROLES = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin")
SERVICE_PREFIX = "svc-"  # the hall's own processes, role "system", not in the directory
STAFF_ID = re.compile(r"^(?!svc-)[A-Za-z0-9][A-Za-z0-9-]{1,31}$")
SERVICE_ID = re.compile(r"^svc-[a-z][a-z0-9-]{1,27}$")
MAX_NAME, MIN_PASSWORD, MAX_PASSWORD = 40, 10, 128
MAX_FAILURES, LOCK_FOR = 5, timedelta(minutes=15)
TOKEN_TTL, SERVICE_TTL = 9 * 3600, 3600  # a work shift; a service signs in again each hour
EDITABLE = ("name", "roles", "site", "department", "sectors", "windows")
SECRET_FIELDS = frozenset({"password", "password_hash", "totp_secret", "totp_code"})
WRONG_ID_OR_PASSWORD = "工号或密码错误 (wrong staff id or password)"

# what a change record says happened
ADDED, UPDATED, DEACTIVATED, REACTIVATED = "added", "updated", "deactivated", "reactivated"
PASSWORD_SET, PASSWORD_CHANGED = "password set", "password changed"
TOTP_ENROLLED, TOTP_CONFIRMED, TOTP_RESET = "TOTP enrolled", "TOTP confirmed", "TOTP reset"
LOCKED, UNLOCKED = "locked", "unlocked"
SIGNED_IN, SIGNED_OUT, SIGN_IN_FAILED = "signed in", "signed out", "failed sign-in"


class SignInRefused(Unauthenticated):
    """The caller could not be authenticated (UNAUTHENTICATED at the edge): unknown id or wrong
    password, a locked or deactivated account, a missing or wrong one-time code."""


def iso(at: datetime | None) -> str:
    """Asia/Shanghai ISO 8601 to the millisecond; such strings sort as the times do."""
    return at.astimezone(SHANGHAI).isoformat(timespec="milliseconds") if at else ""


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(SHANGHAI) if text else None


@dataclass(frozen=True)
class Policy:
    """The directory's settings: token lifetimes, lockout, the password hasher."""
    token_ttl: int = TOKEN_TTL
    service_ttl: int = SERVICE_TTL
    max_failures: int = MAX_FAILURES
    lock_for: timedelta = LOCK_FOR
    hasher: PasswordHasher = field(default_factory=PasswordHasher)

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True if the password matches; with no hash, spend the same time and say no."""
        try:
            return self.hasher.verify(password_hash or self._dummy, password or "-")
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False

    @functools.cached_property
    def _dummy(self) -> str:
        return self.hasher.hash(secrets.token_urlsafe(16))


@dataclass
class Member:
    """A member of staff of the directory. The hash and the TOTP secret never leave the
    staff service: `profile()` is what may be shown, recorded or sent."""
    staff_id: str
    name: str
    roles: tuple[str, ...]
    site: str
    department: str = ""
    sectors: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()
    active: bool = True
    password_hash: str = field(default="", repr=False)
    totp_secret: str = field(default="", repr=False)
    totp_enabled: bool = False
    totp_last_step: int = 0  # a code is used once: replays of the last accepted one fail
    failed_attempts: int = 0
    locked_until: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    rev: int = 0

    def profile(self) -> dict:
        return {"staff_id": self.staff_id, "name": self.name, "roles": list(self.roles),
                "site": self.site, "department": self.department, "sectors": list(self.sectors),
                "windows": list(self.windows), "active": self.active,
                "has_password": bool(self.password_hash), "totp_enabled": self.totp_enabled,
                "failed_attempts": self.failed_attempts, "locked_until": iso(self.locked_until),
                "created_at": iso(self.created_at), "updated_at": iso(self.updated_at)}

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def actor(self, role: str) -> Actor:
        return Actor(self.staff_id, role, self.site, self.department)


@dataclass(frozen=True)
class Change:
    """One line of the staff_changes log: who did what to whom, when, with which fields."""
    staff_id: str
    by: str
    at: datetime
    what: str
    fields: dict = field(default_factory=dict)

    def __post_init__(self):
        if SECRET_FIELDS & set(self.fields):
            raise ValueError("a change record never carries a password or a TOTP secret")


@dataclass
class Session:
    """A signed-in shift; ended by signing out or by the member's deactivation."""
    sid: str
    staff_id: str
    role: str
    started: datetime
    expires: datetime
    ended_at: datetime | None = None
    end_reason: str = ""

    def revoked(self, now: datetime) -> bool:
        """Ended but not yet expired: its token would still verify, so verifiers must refuse it."""
        return self.ended_at is not None and now < self.expires


class StaffRepository(abc.ABC):
    """Where the directory, its change log and its sessions are kept."""

    @abc.abstractmethod
    def get(self, staff_id: str) -> Member | None: ...

    @abc.abstractmethod
    def add(self, member: Member) -> bool:
        """Insert a new member; False (and nothing changed) if the id is taken."""

    @abc.abstractmethod
    def save(self, member: Member) -> bool:
        """Store the member if nobody saved it since it was read (same `rev`), bumping `rev`."""

    @abc.abstractmethod
    def list(self, site: str = "", department: str = "", role: str = "",
             include_inactive: bool = False) -> list[Member]: ...

    @abc.abstractmethod
    def record(self, change: Change) -> None: ...

    @abc.abstractmethod
    def changes(self, staff_id: str = "", limit: int = 50) -> list[Change]:
        """The latest changes first, of one member or of all."""

    @abc.abstractmethod
    def open_session(self, session: Session) -> None: ...

    @abc.abstractmethod
    def session(self, sid: str) -> Session | None: ...

    @abc.abstractmethod
    def end_session(self, sid: str, at: datetime, reason: str) -> bool:
        """End an open session; False if it is unknown or already ended."""

    @abc.abstractmethod
    def end_sessions_of(self, staff_id: str, at: datetime, reason: str) -> list[str]:
        """End every open session of a member; the ids ended."""

    @abc.abstractmethod
    def revocations(self, now: datetime | None = None) -> tuple[list[str], list[str]]:
        """(sessions ended and not yet expired, staff ids deactivated)."""


# --- the directory's rules ------------------------------------------------------------------

def check_member(m: Member, places=None) -> None:
    """A member's own rules, and with `places` (the catalogue) that their site, department,
    sectors and windows exist and fit together."""
    if not STAFF_ID.match(m.staff_id or ""):
        raise InvalidArgument("staff id must be 2-32 letters, digits or '-' and not start with svc-")
    if not m.name.strip() or len(m.name) > MAX_NAME:
        raise InvalidArgument(f"name must be 1-{MAX_NAME} characters")
    if not m.roles or len(set(m.roles)) != len(m.roles):
        raise InvalidArgument("name each role once, at least one")
    for role in m.roles:
        if role not in STAFF_ROLES:
            raise InvalidArgument(f"unknown role {role!r}; roles are {', '.join(STAFF_ROLES)}")
    if {"reviewer", "chief"} & set(m.roles) and not m.department:
        raise InvalidArgument("a reviewer or chief representative needs a department")
    if m.sectors and "clerk" not in m.roles:
        raise InvalidArgument("only a clerk is trained for sectors")
    if places is not None:
        _check_places(m, places)


def _check_places(m: Member, places) -> None:
    if m.site not in places.sites:
        raise InvalidArgument(f"unknown site {m.site!r}")
    if m.department and m.department not in places.departments:
        raise InvalidArgument(f"unknown department {m.department!r}")
    for s in m.sectors:
        if s not in places.sectors:
            raise InvalidArgument(f"unknown sector {s!r}")
    for wid in m.windows:
        w = places.windows.get(wid)
        if w is None or w.site != m.site:
            raise InvalidArgument(f"no window {wid!r} at site {m.site}")
        needs = "issuer" if w.kind == "issuance" else "clerk"
        if needs not in m.roles:
            raise InvalidArgument(f"window {wid} ({w.kind}) is for a {needs}")
        missing = [s for s in w.sectors if s not in m.sectors]
        if missing:
            raise InvalidArgument(f"window {wid} takes {', '.join(missing)}; train for it first")


def check_password(password: str, staff_id: str = "") -> None:
    """At least 10 characters, not all of one kind (lower, upper, digits, others), not the id."""
    if len(password) < MIN_PASSWORD:
        raise InvalidArgument(f"密码至少{MIN_PASSWORD}个字符 (a password needs at least {MIN_PASSWORD} characters)")
    if len(password) > MAX_PASSWORD:
        raise InvalidArgument(f"a password has at most {MAX_PASSWORD} characters")
    kinds = {"lower" if c.islower() and c.isascii() else "upper" if c.isupper() and c.isascii()
             else "digit" if c.isdigit() else "other" for c in password}
    if len(kinds) < 2:
        raise InvalidArgument("密码不能只含一类字符 (mix letters with digits or symbols)")
    if len(set(password)) < 4:
        raise InvalidArgument("the password repeats too few characters; choose another")
    if staff_id and staff_id.lower() in password.lower():
        raise InvalidArgument("the password must not contain the staff id")


def new_password() -> str:
    """A strong random password that passes the policy (for the first administrator)."""
    while True:
        candidate = secrets.token_urlsafe(18)
        try:
            check_password(candidate)
            return candidate
        except InvalidArgument:
            continue


def choose_role(m: Member, requested: str) -> str:
    """The role of this shift: one of the member's roles, the first when none is asked for."""
    if not requested:
        return m.roles[0]
    if requested not in m.roles:
        raise PermissionDenied(f"{m.staff_id} may sign in as {' / '.join(m.roles)}, not as {requested}")
    return requested


@dataclass
class Outcome:
    """What one sign-in attempt found, and the changes it made to the member."""
    ok: bool
    message: str = ""
    changes: list[tuple[str, dict]] = field(default_factory=list)


def authenticate(m: Member, password: str, totp_code: str, policy: Policy, now: datetime) -> Outcome:
    """Check a sign-in against the member: not locked, right password, active, right one-time
    code when TOTP is on. Failures count; the fifth in a row locks for 15 minutes; a right
    sign-in resets the count. Mutates `m`; the caller saves it and records the changes."""
    if m.locked_until is not None and not m.locked(now):
        m.locked_until, m.failed_attempts = None, 0  # the lock has run out
    if m.locked(now):
        return Outcome(False, locked_message(m))
    if not policy.verify(m.password_hash, password):
        return count_failure(m, policy, now, "wrong password", WRONG_ID_OR_PASSWORD)
    if not m.active:
        return Outcome(False, "账号已停用 (this account is deactivated; ask the administrator)")
    if m.totp_enabled:
        if not totp_code:
            return Outcome(False, "请输入动态口令 (this account needs its 6-digit TOTP code)")
        step = totp_step(m.totp_secret, totp_code, now)
        if step is None or step <= m.totp_last_step:
            return count_failure(m, policy, now, "wrong TOTP code", "动态口令错误 (wrong or already used TOTP code)")
        m.totp_last_step = step
    m.failed_attempts, m.locked_until = 0, None
    return Outcome(True)


def count_failure(m: Member, policy: Policy, now: datetime, reason: str, message: str) -> Outcome:
    """One more failed attempt (a wrong password or code); the last allowed one locks."""
    m.failed_attempts += 1
    out = Outcome(False, message, [(SIGN_IN_FAILED, {"reason": reason, "failed_attempts": m.failed_attempts})])
    if m.failed_attempts >= policy.max_failures:
        m.locked_until = now + policy.lock_for
        out.changes.append((LOCKED, {"locked_until": iso(m.locked_until)}))
        out.message = f"{message}; {locked_message(m)}"
    return out


def locked_message(m: Member) -> str:
    until = m.locked_until.astimezone(SHANGHAI)
    return (f"账号已锁定至 {until:%Y-%m-%d %H:%M} (locked until {until:%H:%M} Asia/Shanghai after "
            f"repeated failed sign-ins; try again then or ask the administrator to unlock)")


def unlock(m: Member) -> None:
    m.failed_attempts, m.locked_until = 0, None


# --- one-time codes (TOTP, RFC 6238) -------------------------------------------------------

def enrol_totp(m: Member) -> str:
    """A new secret for the member to scan; TOTP is on only once a code is confirmed."""
    if m.totp_enabled:
        raise StepOutOfOrder("动态口令已启用 (TOTP is already on; the administrator can reset it)")
    m.totp_secret = pyotp.random_base32()
    return m.totp_secret


def provisioning_uri(secret: str, staff_id: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=staff_id, issuer_name="历下区政务服务中心")


def confirm_totp(m: Member, code: str, now: datetime) -> None:
    if m.totp_enabled:
        raise StepOutOfOrder("TOTP is already on")
    if not m.totp_secret:
        raise StepOutOfOrder("enrol for TOTP first (EnrolTotp), then confirm a code")
    step = totp_step(m.totp_secret, code, now)
    if step is None:
        raise InvalidArgument("动态口令错误 (wrong code; check the phone's clock and use the current code)")
    m.totp_enabled, m.totp_last_step = True, step


def reset_totp(m: Member) -> None:
    m.totp_secret, m.totp_enabled, m.totp_last_step = "", False, 0


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step the code belongs to (one step of clock drift either way), or None."""
    if not secret or not re.fullmatch(r"\d{6}", code or ""):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# --- the hall's processes ------------------------------------------------------------------

def parse_service_accounts(text: str) -> dict[str, str]:
    """`svc-name:argon2hash` lines (blank lines and # comments skipped) as {id: hash}."""
    accounts = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        account, sep, password_hash = line.partition(":")
        if not sep or not SERVICE_ID.match(account) or not password_hash.startswith("$argon2"):
            raise ValueError(f"service accounts line {n}: expected svc-<name>:<argon2 hash>")
        accounts[account] = password_hash
    return accounts


def service_actor(account: str) -> Actor:
    """A hall process (svc-intake), or a client system at a site: a self-service kiosk
    (svc-kiosk-lx02) takes tickets at its own site."""
    kiosk = re.fullmatch(r"svc-kiosk-([a-z0-9]{2,8})", account)
    return Actor(account, "system", kiosk.group(1).upper() if kiosk else "", "")
