"""The staff service's commands through the real handlers, the in-memory repository and real
Ed25519 tokens: signing in and out, lockout, TOTP, the administrator's work, seeding."""
import os
from datetime import datetime, timedelta

import jwt
import pyotp
import pytest

from hall.catalogue import load_catalogue
from hall.domain import staff as rules
from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, InvalidArgument, NotFound, PermissionDenied
from hall.domain.identity import Actor
from hall.domain.staff import SignInRefused
from hall.infra import tokens
from services.staff import handlers
from services.staff.config import ServiceAccounts
from tests.unit.test_staff_repository_contract import NOW, InMemoryStaffRepository
from tests.unit.test_staff_rules import PASSWORD, POLICY

ADMIN = Actor("admin", "admin", "LX00")
SUPERVISOR = Actor("LX00-S01", "supervisor", "LX00")
CLERK = Actor("LX00-C01", "clerk", "LX00")
GATEWAY = Actor("svc-gateway", "system", "")


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    tokens.generate_keypair(d / "signing.pem", d / "signing.pub")
    return tokens.Signer.from_file(d / "signing.pem"), tokens.Verifier.from_files([str(d / "signing.pub")])


@pytest.fixture
def repo(cat):
    r = InMemoryStaffRepository()
    handlers.seed(r, cat.staff.values(), NOW)
    for staff_id in ("LX00-C01", "LX-SYJ-01", "admin"):
        handlers.set_password(r, POLICY, ADMIN, staff_id, PASSWORD, NOW)
    return r


@pytest.fixture
def sign_in(repo, keys):
    def go(staff_id="LX00-C01", password=PASSWORD, totp="", role="", at=NOW, accounts=None):
        return handlers.sign_in(repo, keys[0], POLICY, accounts, staff_id, password, totp, role, at)
    return go


def unverified(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_clerk_signs_in_for_a_shift_and_the_token_names_them(sign_in, repo):
    result = sign_in()
    raw = unverified(result.access_token)  # issued at NOW, long past: see the next test
    assert (raw["sub"], raw["role"], raw["site"], raw["dept"]) == ("LX00-C01", "clerk", "LX00", "")
    assert raw["exp"] - raw["iat"] == 9 * 3600 and result.expires_at == NOW + timedelta(hours=9)
    assert result.role == "clerk" and result.member["staff_id"] == "LX00-C01"
    session = repo.session(raw["sid"])
    assert (session.staff_id, session.role, session.expires) == ("LX00-C01", "clerk", NOW + timedelta(hours=9))
    assert repo.changes("LX00-C01")[0].what == rules.SIGNED_IN


def test_a_token_signed_in_now_verifies_with_the_public_key(repo, keys):
    result = handlers.sign_in(repo, keys[0], POLICY, None, "LX-SYJ-01", PASSWORD, "", "reviewer",
                              datetime.now(SHANGHAI))
    claims = keys[1].verify(result.access_token)
    assert claims.actor == Actor("LX-SYJ-01", "reviewer", "LX00", "SYJ")


def test_the_chief_signs_in_as_chief_by_default_or_as_reviewer_but_never_as_admin(sign_in):
    assert sign_in("LX-SYJ-01").role == "chief"
    assert sign_in("LX-SYJ-01", role="reviewer").role == "reviewer"
    with pytest.raises(PermissionDenied):
        sign_in("LX-SYJ-01", role="admin")


def test_a_wrong_id_and_a_wrong_password_are_refused_alike(sign_in):
    with pytest.raises(SignInRefused) as unknown:
        sign_in("LX00-C99")
    with pytest.raises(SignInRefused) as wrong:
        sign_in(password="Not-the-password-1")
    assert str(unknown.value) == str(wrong.value) == rules.WRONG_ID_OR_PASSWORD
    assert "工号或密码错误" in str(wrong.value)


def test_a_member_with_no_password_yet_cannot_sign_in(sign_in):
    with pytest.raises(SignInRefused, match="工号或密码错误"):
        sign_in("LX00-C02", password="")


def test_the_fifth_wrong_password_locks_and_the_log_says_so(sign_in, repo):
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(password="Not-the-password-1")
    with pytest.raises(SignInRefused, match="09:15"):
        sign_in(at=NOW + timedelta(minutes=1))
    whats = [c.what for c in repo.changes("LX00-C01")]
    assert whats.count(rules.SIGN_IN_FAILED) == 5 and whats[0] == rules.LOCKED
    assert sign_in(at=NOW + timedelta(minutes=15)).role == "clerk"
    assert repo.get("LX00-C01").failed_attempts == 0


def test_the_administrator_unlocks_before_the_15_minutes_are_up(sign_in, repo):
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(password="Not-the-password-1")
    handlers.unlock_staff(repo, ADMIN, "LX00-C01", NOW)
    assert sign_in(at=NOW + timedelta(minutes=1)).role == "clerk"
    assert repo.changes("LX00-C01", 2)[1].what == rules.UNLOCKED


def test_totp_enrolled_and_confirmed_is_then_required(sign_in, repo):
    secret, uri = handlers.enrol_totp(repo, CLERK, NOW)
    assert "otpauth://totp/" in uri and secret in uri
    assert sign_in().role == "clerk"  # not on until confirmed
    totp = pyotp.TOTP(secret)
    profile = handlers.confirm_totp(repo, CLERK, totp.at(NOW), NOW)
    assert profile["totp_enabled"] and "totp_secret" not in profile
    later = NOW + timedelta(minutes=2)
    with pytest.raises(SignInRefused, match="TOTP"):
        sign_in(at=later)
    with pytest.raises(SignInRefused, match="动态口令错误"):
        sign_in(totp="000000" if totp.at(later) != "000000" else "111111", at=later)
    assert sign_in(totp=totp.at(later), at=later).role == "clerk"
    handlers.reset_totp(repo, ADMIN, "LX00-C01", later)
    assert sign_in(at=later).role == "clerk"


def test_signing_out_revokes_the_session(sign_in, repo, keys):
    sid = unverified(sign_in().access_token)["sid"]
    assert handlers.sign_out(repo, CLERK, sid, NOW + timedelta(hours=1))
    assert repo.revocations(NOW + timedelta(hours=2)) == ([sid], [])
    with pytest.raises(NotFound):
        handlers.sign_out(repo, Actor("LX00-C02", "clerk", "LX00"), sid, NOW)


def test_deactivation_refuses_sign_in_and_revokes_every_session(sign_in, repo):
    sign_in(), sign_in()
    profile = handlers.deactivate_staff(repo, ADMIN, "LX00-C01", "调离 (transferred)", NOW)
    assert not profile["active"]
    sids, staff_ids = handlers.list_revocations(repo, GATEWAY, NOW + timedelta(minutes=1))
    assert len(sids) == 2 and staff_ids == ["LX00-C01"]
    with pytest.raises(SignInRefused, match="deactivated"):
        sign_in()
    with pytest.raises(AlreadyDone):
        handlers.deactivate_staff(repo, ADMIN, "LX00-C01", "again", NOW)
    assert repo.changes("LX00-C01")[0].fields == {"reason": "调离 (transferred)", "sessions_ended": 2}
    handlers.reactivate_staff(repo, ADMIN, "LX00-C01", NOW)
    assert sign_in().role == "clerk"


def test_the_administrator_may_not_deactivate_themselves_and_must_give_a_reason(repo):
    with pytest.raises(PermissionDenied):
        handlers.deactivate_staff(repo, ADMIN, "admin", "leaving", NOW)
    with pytest.raises(InvalidArgument, match="reason"):
        handlers.deactivate_staff(repo, ADMIN, "LX00-C01", " ", NOW)


def test_changing_a_member_s_roles_ends_their_sessions(sign_in, repo, cat):
    sign_in("LX-SYJ-01")
    profile = handlers.update_staff(repo, cat, ADMIN, "LX-SYJ-01", {"roles": ("reviewer",)}, ["roles"], NOW)
    assert profile["roles"] == ["reviewer"] and profile["name"] == "赵明远"
    assert len(repo.revocations(NOW)[0]) == 1
    change = repo.changes("LX-SYJ-01")[0]
    assert (change.what, change.by, change.fields) == (rules.UPDATED, "admin", {"roles": ["reviewer"]})


def test_an_update_is_checked_against_the_catalogue(repo, cat):
    with pytest.raises(InvalidArgument, match="LX00-W09"):
        handlers.update_staff(repo, cat, ADMIN, "LX00-C01", {"windows": ("LX00-W09",)}, ["windows"], NOW)
    with pytest.raises(InvalidArgument, match="cannot change"):
        handlers.update_staff(repo, cat, ADMIN, "LX00-C01", {}, ["password_hash"], NOW)


def test_the_administrator_adds_a_member_who_then_signs_in(repo, cat, keys):
    fields = dict(staff_id="LX05-C03", name="新同事", roles=("clerk",), site="LX05",
                  sectors=cat.windows["LX05-W01"].sectors, windows=("LX05-W01",))
    profile = handlers.add_staff(repo, POLICY, cat, ADMIN, fields, "Daming-Lake-9", NOW)
    assert profile["has_password"] and profile["site"] == "LX05"
    assert handlers.sign_in(repo, keys[0], POLICY, None, "LX05-C03", "Daming-Lake-9", "", "", NOW).role == "clerk"
    with pytest.raises(InvalidArgument, match="taken"):
        handlers.add_staff(repo, POLICY, cat, ADMIN, fields, "", NOW)
    with pytest.raises(InvalidArgument, match="at least 10"):
        handlers.add_staff(repo, POLICY, cat, ADMIN, {**fields, "staff_id": "LX05-C04"}, "short", NOW)


def test_a_member_changes_their_own_password_with_the_old_one(repo, sign_in):
    handlers.change_password(repo, POLICY, CLERK, PASSWORD, "Baotu-Spring-72", NOW)
    assert sign_in(password="Baotu-Spring-72").role == "clerk"
    with pytest.raises(PermissionDenied, match="old password"):
        handlers.change_password(repo, POLICY, CLERK, PASSWORD, "Another-Pass-73", NOW)
    assert repo.get("LX00-C01").failed_attempts == 1


def test_only_the_administrator_administers(repo, cat):
    for who in (CLERK, SUPERVISOR, GATEWAY):
        with pytest.raises(PermissionDenied):
            handlers.list_staff(repo, who)
        with pytest.raises(PermissionDenied):
            handlers.set_password(repo, POLICY, who, "LX00-C02", "Whatever-123", NOW)
    assert len(handlers.list_staff(repo, ADMIN, site="LX00", role="clerk")) == 27


def test_changes_are_for_admin_and_supervisor_and_revocations_for_system(repo):
    assert handlers.list_changes(repo, SUPERVISOR, "LX00-C01", 5)
    with pytest.raises(PermissionDenied):
        handlers.list_changes(repo, CLERK)
    with pytest.raises(InvalidArgument):
        handlers.list_changes(repo, ADMIN, limit=501)
    with pytest.raises(PermissionDenied):
        handlers.list_revocations(repo, ADMIN, NOW)


def test_who_am_i_is_one_s_own_record_and_a_service_has_none(repo):
    assert handlers.who_am_i(repo, CLERK)["staff_id"] == "LX00-C01"
    assert handlers.who_am_i(repo, GATEWAY)["roles"] == ["system"]
    with pytest.raises(PermissionDenied):
        handlers.enrol_totp(repo, GATEWAY, NOW)


def test_a_hall_process_signs_in_with_its_service_account_for_an_hour(tmp_path, sign_in):
    path = tmp_path / "service-accounts"
    tokens.write_private(path, f"svc-intake:{POLICY.hash('intake-secret-xyz')}\n".encode())
    accounts = ServiceAccounts(path)
    result = sign_in("svc-intake", "intake-secret-xyz", accounts=accounts)
    assert result.role == "system" and result.expires_at == NOW + timedelta(hours=1)
    with pytest.raises(SignInRefused):
        sign_in("svc-intake", "wrong", accounts=accounts)
    with pytest.raises(SignInRefused):
        sign_in("svc-routing", "intake-secret-xyz", accounts=accounts)
    with pytest.raises(PermissionDenied):
        sign_in("svc-intake", "intake-secret-xyz", role="admin", accounts=accounts)


def test_a_service_accounts_file_others_may_read_is_not_used(tmp_path, sign_in):
    path = tmp_path / "service-accounts"
    path.write_text(f"svc-intake:{POLICY.hash('intake-secret-xyz')}\n")
    os.chmod(path, 0o644)
    with pytest.raises(SignInRefused):
        sign_in("svc-intake", "intake-secret-xyz", accounts=ServiceAccounts(path))


def test_seeding_adds_only_the_missing_and_keeps_the_administrator_s_changes(repo, cat):
    handlers.update_staff(repo, cat, ADMIN, "LX00-C02", {"name": "改名者"}, ["name"], NOW)
    handlers.deactivate_staff(repo, ADMIN, "LX00-C03", "离职", NOW)
    assert handlers.seed(repo, cat.staff.values(), NOW) == []
    assert repo.get("LX00-C02").name == "改名者" and not repo.get("LX00-C03").active
    first = repo.changes("LX00-C04")[-1]
    assert (first.what, first.by) == (rules.ADDED, "system")


def test_the_first_administrator_password_is_generated_once(cat):
    r = InMemoryStaffRepository()
    handlers.seed(r, cat.staff.values(), NOW)
    password = handlers.ensure_admin_password(r, POLICY, NOW)
    rules.check_password(password)
    assert POLICY.verify(r.get("admin").password_hash, password)
    assert handlers.ensure_admin_password(r, POLICY, NOW) is None
    assert r.changes("admin")[0].fields == {"initial": "generated"}


def test_no_change_record_and_no_profile_carries_a_secret(sign_in, repo):
    secret, _ = handlers.enrol_totp(repo, CLERK, NOW)
    handlers.confirm_totp(repo, CLERK, pyotp.TOTP(secret).at(NOW), NOW)
    with pytest.raises(SignInRefused):
        sign_in(password="Not-the-password-1")
    m = repo.get("LX00-C01")
    everything = repr([c.fields for c in repo.change_log]) + repr(handlers.list_staff(repo, ADMIN))
    for secret_text in (PASSWORD, "Not-the-password-1", m.password_hash, m.totp_secret, "$argon2"):
        assert secret_text not in everything
