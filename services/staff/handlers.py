"""The staff service's commands, one plain function each, over the repository port.

Who may do what is decided from the caller's Actor, passed in; times come in as `now`
(Asia/Shanghai). A refused sign-in raises `SignInRefused` (UNAUTHENTICATED at the edge); the
rest raise the domain errors of hall.domain.errors."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable, Iterable, TypeVar

from hall.domain import identity, staff as rules
from hall.domain.errors import AlreadyDone, InvalidArgument, NotFound, PermissionDenied, StepOutOfOrder
from hall.domain.identity import Actor
from hall.domain.staff import Change, Member, Policy, Session, SignInRefused, StaffRepository

log = logging.getLogger(__name__)
ATTEMPTS = 5  # optimistic saves retried when two requests change one member at once
SYSTEM = "system"
MAX_REASON, DEFAULT_CHANGES, MAX_CHANGES = 200, 50, 500
T = TypeVar("T")


@dataclass(frozen=True)
class SignInResult:
    access_token: str
    expires_at: datetime
    member: dict  # Member.profile(): no secret
    role: str


def _mutate(repo: StaffRepository, staff_id: str, change: Callable[[Member], T]) -> tuple[Member, T]:
    """Read the member, apply `change`, save; again if someone saved in between."""
    for _ in range(ATTEMPTS):
        m = repo.get(staff_id)
        if m is None:
            raise NotFound(f"no member of staff {staff_id!r}")
        result = change(m)
        if repo.save(m):
            return m, result
    raise StepOutOfOrder(f"{staff_id} was being changed by another request; try again")


def _record(repo, staff_id: str, by: str, now: datetime, what: str, fields: dict | None = None) -> None:
    repo.record(Change(staff_id, by, now, what, fields or {}))


def _open_session(repo, signer, actor: Actor, ttl: int, now: datetime) -> tuple[str, datetime]:
    sid = secrets.token_urlsafe(16)
    expires = now + timedelta(seconds=ttl)
    repo.open_session(Session(sid, actor.staff_id, actor.role, now, expires))
    return signer.issue(actor, sid, ttl, now=int(now.timestamp())), expires


# --- signing in and out ----------------------------------------------------------------------

def sign_in(repo: StaffRepository, signer, policy: Policy, accounts, staff_id: str, password: str,
            totp_code: str, role: str, now: datetime) -> SignInResult:
    """Sign a member of staff in for a shift in one of their roles (or a hall process, svc-…)."""
    if staff_id.startswith(rules.SERVICE_PREFIX):
        return _sign_in_service(repo, signer, policy, accounts, staff_id, password, role, now)
    if repo.get(staff_id) is None:
        policy.verify("", password)  # as long as a wrong password takes
        raise SignInRefused(rules.WRONG_ID_OR_PASSWORD)

    def attempt(m: Member) -> rules.Outcome:
        outcome = rules.authenticate(m, password, totp_code, policy, now)
        if outcome.ok and policy.needs_rehash(m.password_hash):
            m.password_hash = policy.hash(password)
        return outcome

    m, outcome = _mutate(repo, staff_id, attempt)
    for what, fields in outcome.changes:
        _record(repo, staff_id, staff_id, now, what, fields)
    if not outcome.ok:
        raise SignInRefused(outcome.message)
    shift = rules.choose_role(m, role)
    token, expires = _open_session(repo, signer, m.actor(shift), policy.token_ttl, now)
    _record(repo, staff_id, staff_id, now, rules.SIGNED_IN, {"role": shift})
    return SignInResult(token, expires, m.profile(), shift)


def _sign_in_service(repo, signer, policy, accounts, account, password, role, now) -> SignInResult:
    known = accounts.hash_of(account) if accounts is not None else None
    if not policy.verify(known or "", password):
        log.warning("service account %s refused: unknown or wrong secret", account[:40])
        raise SignInRefused(rules.WRONG_ID_OR_PASSWORD)
    if role and role != "system":
        raise PermissionDenied(f"{account} signs in as system only, not as {role}")
    token, expires = _open_session(repo, signer, rules.service_actor(account), policy.service_ttl, now)
    return SignInResult(token, expires, service_profile(account), "system")


def service_profile(account: str) -> dict:
    """What WhoAmI says of a hall process: it has no record in the directory."""
    return {"staff_id": account, "name": account, "roles": ["system"], "active": True}


def sign_out(repo: StaffRepository, actor: Actor, sid: str, now: datetime) -> bool:
    """End the caller's own session; its token is refused from then on."""
    session = repo.session(sid) if sid else None
    if session is None or session.staff_id != actor.staff_id:
        raise NotFound("this token belongs to no session of yours that could be ended")
    ended = repo.end_session(sid, now, "signed out")
    if ended and not actor.staff_id.startswith(rules.SERVICE_PREFIX):
        _record(repo, actor.staff_id, actor.staff_id, now, rules.SIGNED_OUT, {"role": session.role})
    return ended


# --- oneself --------------------------------------------------------------------------------

def who_am_i(repo: StaffRepository, actor: Actor) -> dict:
    if actor.role == "system" and actor.staff_id.startswith(rules.SERVICE_PREFIX):
        return service_profile(actor.staff_id)
    m = repo.get(actor.staff_id)
    if m is None:
        raise NotFound(f"{actor.staff_id} is not in the staff directory")
    return m.profile()


def change_password(repo: StaffRepository, policy: Policy, actor: Actor, old: str, new: str,
                    now: datetime) -> dict:
    """A member changes their own password, proving the old one; a wrong one counts as a
    failed sign-in."""
    identity.may_change_own_record(actor)
    rules.check_password(new, actor.staff_id)
    if new == old:
        raise InvalidArgument("the new password is the old one")

    def change(m: Member):
        if m.locked(now):
            return rules.Outcome(False, rules.locked_message(m))
        if not policy.verify(m.password_hash, old):
            return rules.count_failure(m, policy, now, "wrong old password", "旧密码错误 (the old password is wrong)")
        m.password_hash, m.updated_at = policy.hash(new), now
        return rules.Outcome(True, changes=[(rules.PASSWORD_CHANGED, {})])

    m, outcome = _mutate(repo, actor.staff_id, change)
    for what, fields in outcome.changes:
        _record(repo, m.staff_id, actor.staff_id, now, what, fields)
    if not outcome.ok:
        raise PermissionDenied(outcome.message)
    return m.profile()


def enrol_totp(repo: StaffRepository, actor: Actor, now: datetime) -> tuple[str, str]:
    """A new TOTP secret for the caller and its otpauth:// URI; on once confirmed."""
    identity.may_change_own_record(actor)
    m, secret = _mutate(repo, actor.staff_id, rules.enrol_totp)
    _record(repo, m.staff_id, actor.staff_id, now, rules.TOTP_ENROLLED)
    return secret, rules.provisioning_uri(secret, m.staff_id)


def confirm_totp(repo: StaffRepository, actor: Actor, code: str, now: datetime) -> dict:
    identity.may_change_own_record(actor)
    m, _ = _mutate(repo, actor.staff_id, lambda m: rules.confirm_totp(m, code, now))
    _record(repo, m.staff_id, actor.staff_id, now, rules.TOTP_CONFIRMED, {"totp_enabled": True})
    return m.profile()


# --- the administrator ----------------------------------------------------------------------

def list_staff(repo: StaffRepository, actor: Actor, site: str = "", department: str = "",
               role: str = "", include_inactive: bool = False) -> list[dict]:
    identity.may_administer_staff(actor, "listing staff")
    return [m.profile() for m in repo.list(site, department, role, include_inactive)]


def get_staff(repo: StaffRepository, actor: Actor, staff_id: str) -> dict:
    identity.may_administer_staff(actor, "reading a staff record")
    m = repo.get(staff_id)
    if m is None:
        raise NotFound(f"no member of staff {staff_id!r}")
    return m.profile()


def add_staff(repo: StaffRepository, policy: Policy, places, actor: Actor, fields: dict,
              password: str, now: datetime) -> dict:
    """A new member of staff, checked against the directory's rules and the catalogue."""
    identity.may_administer_staff(actor, "adding staff")
    m = Member(**{k: fields.get(k, default) for k, default in _EDITABLE_DEFAULTS.items()},
               staff_id=fields.get("staff_id", ""), created_at=now, updated_at=now)
    rules.check_member(m, places)
    if password:
        rules.check_password(password, m.staff_id)
        m.password_hash = policy.hash(password)
    if not repo.add(m):
        raise InvalidArgument(f"staff id {m.staff_id} is taken")
    _record(repo, m.staff_id, actor.staff_id, now, rules.ADDED, _editable(m))
    if password:
        _record(repo, m.staff_id, actor.staff_id, now, rules.PASSWORD_SET)
    return m.profile()


_EDITABLE_DEFAULTS = {"name": "", "roles": (), "site": "", "department": "", "sectors": (), "windows": ()}
_ACCESS = ("roles", "site", "department")  # what a token carries: changing them ends sessions


def _editable(m: Member) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v
            for k, v in ((k, getattr(m, k)) for k in rules.EDITABLE) if v not in ("", ())}


def update_staff(repo: StaffRepository, places, actor: Actor, staff_id: str, fields: dict,
                 which: Iterable[str], now: datetime) -> dict:
    """Change some of a member's name, roles, site, department, sectors and windows. A change
    of roles, site or department ends their sessions: the tokens carry the old ones."""
    identity.may_administer_staff(actor, "changing staff records")
    which = list(which) or list(rules.EDITABLE)
    unknown = [f for f in which if f not in rules.EDITABLE]
    if unknown:
        raise InvalidArgument(f"cannot change {', '.join(unknown)}; fields are {', '.join(rules.EDITABLE)}")

    def change(m: Member) -> dict:
        new = replace(m, **{f: fields.get(f, _EDITABLE_DEFAULTS[f]) for f in which})
        rules.check_member(new, places)
        diff = {f: getattr(new, f) for f in which if getattr(new, f) != getattr(m, f)}
        for f, value in diff.items():
            setattr(m, f, value)
        if diff:
            m.updated_at = now
        return {f: list(v) if isinstance(v, tuple) else v for f, v in diff.items()}

    m, diff = _mutate(repo, staff_id, change)
    if diff:
        _record(repo, staff_id, actor.staff_id, now, rules.UPDATED, diff)
        if set(diff) & set(_ACCESS):
            repo.end_sessions_of(staff_id, now, "updated")
    return m.profile()


def deactivate_staff(repo: StaffRepository, actor: Actor, staff_id: str, reason: str, now: datetime) -> dict:
    """The member may no longer sign in, and every token of theirs is refused from now on."""
    identity.may_administer_staff(actor, "deactivating staff")
    if not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidArgument(f"give the reason for deactivating (1-{MAX_REASON} characters)")
    if staff_id == actor.staff_id:
        raise PermissionDenied("you may not deactivate yourself")

    def change(m: Member):
        if not m.active:
            raise AlreadyDone(f"{staff_id} is already deactivated")
        m.active, m.updated_at = False, now

    m, _ = _mutate(repo, staff_id, change)
    ended = repo.end_sessions_of(staff_id, now, "deactivated")
    _record(repo, staff_id, actor.staff_id, now, rules.DEACTIVATED,
            {"reason": reason.strip(), "sessions_ended": len(ended)})
    return m.profile()


def reactivate_staff(repo: StaffRepository, actor: Actor, staff_id: str, now: datetime) -> dict:
    identity.may_administer_staff(actor, "reactivating staff")

    def change(m: Member):
        if m.active:
            raise AlreadyDone(f"{staff_id} is active")
        m.active, m.updated_at = True, now
        rules.unlock(m)

    m, _ = _mutate(repo, staff_id, change)
    _record(repo, staff_id, actor.staff_id, now, rules.REACTIVATED)
    return m.profile()


def set_password(repo: StaffRepository, policy: Policy, actor: Actor, staff_id: str, new: str,
                 now: datetime) -> dict:
    """The administrator sets a member's password (a new member, a forgotten password)."""
    identity.may_administer_staff(actor, "setting passwords")
    rules.check_password(new, staff_id)
    password_hash = policy.hash(new)

    def change(m: Member):
        m.password_hash, m.updated_at = password_hash, now

    m, _ = _mutate(repo, staff_id, change)
    _record(repo, staff_id, actor.staff_id, now, rules.PASSWORD_SET)
    return m.profile()


def unlock_staff(repo: StaffRepository, actor: Actor, staff_id: str, now: datetime) -> dict:
    identity.may_administer_staff(actor, "unlocking staff")
    m, _ = _mutate(repo, staff_id, rules.unlock)
    _record(repo, staff_id, actor.staff_id, now, rules.UNLOCKED)
    return m.profile()


def reset_totp(repo: StaffRepository, actor: Actor, staff_id: str, now: datetime) -> dict:
    identity.may_administer_staff(actor, "resetting TOTP")
    m, _ = _mutate(repo, staff_id, rules.reset_totp)
    _record(repo, staff_id, actor.staff_id, now, rules.TOTP_RESET, {"totp_enabled": False})
    return m.profile()


def list_changes(repo: StaffRepository, actor: Actor, staff_id: str = "", limit: int = 0) -> list[Change]:
    identity.may_read_staff_changes(actor)
    if not 0 <= limit <= MAX_CHANGES:
        raise InvalidArgument(f"limit must be 1 to {MAX_CHANGES}")
    return repo.changes(staff_id, limit or DEFAULT_CHANGES)


def list_revocations(repo: StaffRepository, actor: Actor, now: datetime) -> tuple[list[str], list[str]]:
    identity.may_list_revocations(actor)
    return repo.revocations(now)


# --- at start -------------------------------------------------------------------------------

def seed(repo: StaffRepository, seeds: Iterable, now: datetime) -> list[str]:
    """Insert the catalogue's staff seed members not yet in the directory; never touch those
    present (the administrator's changes stand). The ids added."""
    present = {m.staff_id for m in repo.list(include_inactive=True)}
    added = []
    for s in seeds:
        if s.staff_id in present:
            continue
        m = Member(s.staff_id, s.name, tuple(s.roles), s.site, s.department, tuple(s.sectors),
                   tuple(s.windows), created_at=now, updated_at=now)
        rules.check_member(m)
        if repo.add(m):
            _record(repo, m.staff_id, SYSTEM, now, rules.ADDED, {**_editable(m), "source": "reference/staff.yaml"})
            added.append(m.staff_id)
    return added


def ensure_admin_password(repo: StaffRepository, policy: Policy, now: datetime,
                          staff_id: str = "admin") -> str | None:
    """If the administrator has no password yet, give them a strong random one and return it
    (once, for the caller to hand over); None if they have one or are not in the directory."""
    if repo.get(staff_id) is None:
        return None
    password = rules.new_password()

    def change(m: Member) -> bool:
        if m.password_hash:
            return False
        m.password_hash, m.updated_at = policy.hash(password), now
        return True

    _, generated = _mutate(repo, staff_id, change)
    if not generated:
        return None
    _record(repo, staff_id, SYSTEM, now, rules.PASSWORD_SET, {"initial": "generated"})
    return password
