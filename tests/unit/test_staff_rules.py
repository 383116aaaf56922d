"""The directory's rules: password policy, lockout, one-time codes, the role of a shift, who may
administer, and that no record that leaves the service carries a secret."""
from datetime import timedelta

import pyotp
import pytest
from argon2 import PasswordHasher

from hall.domain import identity, staff
from hall.domain.errors import InvalidArgument, PermissionDenied, StepOutOfOrder
from hall.domain.identity import Actor
from tests.unit.test_staff_repository_contract import NOW, member

POLICY = staff.Policy(hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
PASSWORD = "Quancheng2026"


def with_password(**kw):
    return member(password_hash=POLICY.hash(PASSWORD), **kw)


@pytest.mark.parametrize("password, why", [
    ("Short1", "at least 10"),
    ("abcdefghijkl", "mix"),
    ("1234567890123", "mix"),
    ("aaaaaaaaaa1", "too few"),
    ("LX00-C01pass99", "staff id"),
    ("x1" * 70, "at most 128"),
])
def test_weak_passwords_are_refused_with_the_reason(password, why):
    with pytest.raises(InvalidArgument, match=why):
        staff.check_password(password, "LX00-C01")


@pytest.mark.parametrize("password", [PASSWORD, "泉城广场很美丽2026", "correct horse battery"])
def test_reasonable_passwords_pass(password):
    staff.check_password(password, "LX00-C01")


def test_a_generated_password_passes_the_policy():
    for _ in range(20):
        staff.check_password(staff.new_password())


def test_the_hash_is_argon2_and_verifies_only_the_right_password():
    h = POLICY.hash(PASSWORD)
    assert h.startswith("$argon2id$") and PASSWORD not in h
    assert POLICY.verify(h, PASSWORD) and not POLICY.verify(h, PASSWORD + "x")
    assert not POLICY.verify("", PASSWORD) and not POLICY.verify("not-a-hash", PASSWORD)


def test_the_right_password_signs_in_and_resets_the_count():
    m = with_password(failed_attempts=3)
    assert staff.authenticate(m, PASSWORD, "", POLICY, NOW).ok
    assert m.failed_attempts == 0


def test_five_wrong_passwords_in_a_row_lock_for_15_minutes():
    m = with_password()
    for n in range(1, 5):
        out = staff.authenticate(m, "wrong-password-1", "", POLICY, NOW)
        assert not out.ok and out.message == staff.WRONG_ID_OR_PASSWORD
        assert out.changes == [(staff.SIGN_IN_FAILED, {"reason": "wrong password", "failed_attempts": n})]
    out = staff.authenticate(m, "wrong-password-1", "", POLICY, NOW)
    assert m.locked_until == NOW + timedelta(minutes=15)
    assert [w for w, _ in out.changes] == [staff.SIGN_IN_FAILED, staff.LOCKED]
    assert "锁定" in out.message and "09:15" in out.message


def test_a_locked_member_is_refused_even_with_the_right_password_saying_until_when():
    m = with_password(failed_attempts=5, locked_until=NOW + timedelta(minutes=15))
    out = staff.authenticate(m, PASSWORD, "", POLICY, NOW + timedelta(minutes=14))
    assert not out.ok and "09:15" in out.message and out.changes == []


def test_the_lock_runs_out_after_15_minutes_and_counting_starts_again():
    m = with_password(failed_attempts=5, locked_until=NOW + timedelta(minutes=15))
    out = staff.authenticate(m, "wrong-password-1", "", POLICY, NOW + timedelta(minutes=15))
    assert not out.ok and m.failed_attempts == 1 and m.locked_until is None
    assert staff.authenticate(m, PASSWORD, "", POLICY, NOW + timedelta(minutes=16)).ok


def test_a_deactivated_member_cannot_sign_in():
    m = with_password(active=False)
    out = staff.authenticate(m, PASSWORD, "", POLICY, NOW)
    assert not out.ok and "deactivated" in out.message


def test_a_deactivated_member_with_a_wrong_password_learns_nothing_more():
    out = staff.authenticate(with_password(active=False), "wrong-password-1", "", POLICY, NOW)
    assert out.message == staff.WRONG_ID_OR_PASSWORD


def enrolled(**kw):
    m = with_password(**kw)
    secret = staff.enrol_totp(m)
    staff.confirm_totp(m, pyotp.TOTP(secret).at(NOW - timedelta(minutes=5)), NOW - timedelta(minutes=5))
    return m, pyotp.TOTP(secret)


def test_with_totp_on_a_code_is_required():
    m, _ = enrolled()
    out = staff.authenticate(m, PASSWORD, "", POLICY, NOW)
    assert not out.ok and "TOTP" in out.message and m.failed_attempts == 0


def test_with_totp_on_the_right_code_signs_in_once():
    m, totp = enrolled()
    assert staff.authenticate(m, PASSWORD, totp.at(NOW), POLICY, NOW).ok
    replay = staff.authenticate(m, PASSWORD, totp.at(NOW), POLICY, NOW + timedelta(seconds=5))
    assert not replay.ok and m.failed_attempts == 1


def test_a_code_one_step_off_is_accepted_for_clock_drift_but_not_two():
    m, totp = enrolled()
    assert staff.authenticate(m, PASSWORD, totp.at(NOW - timedelta(seconds=30)), POLICY, NOW).ok
    m, totp = enrolled()
    assert not staff.authenticate(m, PASSWORD, totp.at(NOW - timedelta(seconds=90)), POLICY, NOW).ok


def test_five_wrong_codes_lock_as_wrong_passwords_do():
    m, _ = enrolled()
    for _ in range(5):
        out = staff.authenticate(m, PASSWORD, "000000", POLICY, NOW)
    assert m.locked(NOW) and out.changes[0][1]["reason"] == "wrong TOTP code"


def test_totp_is_on_only_after_a_right_code_is_confirmed():
    m = with_password()
    secret = staff.enrol_totp(m)
    assert not m.totp_enabled
    assert staff.provisioning_uri(secret, m.staff_id).startswith("otpauth://totp/")
    with pytest.raises(InvalidArgument):
        staff.confirm_totp(m, "123456" if pyotp.TOTP(secret).at(NOW) != "123456" else "654321", NOW)
    staff.confirm_totp(m, pyotp.TOTP(secret).at(NOW), NOW)
    assert m.totp_enabled
    with pytest.raises(StepOutOfOrder):
        staff.enrol_totp(m)


def test_confirming_without_enrolling_is_out_of_order():
    with pytest.raises(StepOutOfOrder, match="enrol"):
        staff.confirm_totp(with_password(), "123456", NOW)


def test_the_shift_role_is_one_of_the_member_s_roles_the_first_by_default():
    chief = member("LX-SYJ-01", roles=("chief", "reviewer"), department="SYJ", sectors=(), windows=())
    assert staff.choose_role(chief, "") == "chief"
    assert staff.choose_role(chief, "reviewer") == "reviewer"
    with pytest.raises(PermissionDenied, match="chief / reviewer"):
        staff.choose_role(chief, "admin")
    assert chief.actor("reviewer") == Actor("LX-SYJ-01", "reviewer", "LX00", "SYJ")


@pytest.mark.parametrize("change, why", [
    (dict(roles=("boss",)), "unknown role"),
    (dict(roles=()), "at least one"),
    (dict(roles=("clerk", "clerk")), "once"),
    (dict(roles=("reviewer",), sectors=()), "department"),
    (dict(roles=("issuer",)), "only a clerk"),
    (dict(name=""), "name"),
])
def test_a_member_breaking_the_directory_rules_is_refused(change, why):
    with pytest.raises(InvalidArgument, match=why):
        staff.check_member(member(**change))


@pytest.mark.parametrize("staff_id", ["svc-intake", "", "x", "有中文", "a" * 33, "LX00 C01"])
def test_bad_staff_ids_are_refused(staff_id):
    with pytest.raises(InvalidArgument):
        staff.check_member(member(staff_id))


def test_places_are_checked_against_the_catalogue():
    from hall.catalogue import load_catalogue
    cat = load_catalogue()
    staff.check_member(member(), cat)
    for change, why in [(dict(site="LX99"), "site"), (dict(windows=("LX00-W01",)), "经济发展"),
                        (dict(windows=("LX00-I01",)), "issuer"), (dict(department="XYZ"), "department"),
                        (dict(sectors=("航天",)), "sector"), (dict(windows=("LX03-W01",)), "LX03-W01")]:
        with pytest.raises(InvalidArgument, match=why):
            staff.check_member(member(**change), cat)


def test_the_profile_carries_no_secret():
    m, _ = enrolled()
    profile = m.profile()
    assert not staff.SECRET_FIELDS & set(profile) and "totp_secret" not in profile
    assert m.password_hash not in str(profile) and m.totp_secret not in str(profile)
    assert m.totp_secret not in repr(m) and m.password_hash not in repr(m)
    assert profile["has_password"] and profile["totp_enabled"]


def test_a_change_record_refuses_secret_fields():
    with pytest.raises(ValueError):
        staff.Change("LX00-C01", "admin", NOW, staff.PASSWORD_SET, {"password": "x"})


def test_service_accounts_file_lines_are_read_and_bad_lines_named():
    h = POLICY.hash("s3cret-service")
    text = f"# written by the launcher\nsvc-intake:{h}\n\nsvc-gateway:{h}\n"
    assert staff.parse_service_accounts(text) == {"svc-intake": h, "svc-gateway": h}
    with pytest.raises(ValueError, match="line 2"):
        staff.parse_service_accounts(f"svc-intake:{h}\nintake:{h}\n")
    assert staff.service_actor("svc-intake") == Actor("svc-intake", "system", "", "")


def test_who_may_administer_read_changes_and_list_revocations():
    admin, sup = Actor("admin", "admin", "LX00"), Actor("LX00-S01", "supervisor", "LX00")
    clerk, svc = Actor("LX00-C01", "clerk", "LX00"), Actor("svc-gateway", "system", "")
    identity.may_administer_staff(admin, "adding staff")
    for a in (sup, clerk, svc):
        with pytest.raises(PermissionDenied):
            identity.may_administer_staff(a, "adding staff")
    identity.may_read_staff_changes(admin), identity.may_read_staff_changes(sup)
    with pytest.raises(PermissionDenied):
        identity.may_read_staff_changes(clerk)
    identity.may_list_revocations(svc)
    with pytest.raises(PermissionDenied):
        identity.may_list_revocations(admin)
    with pytest.raises(PermissionDenied):
        identity.may_change_own_record(svc)
