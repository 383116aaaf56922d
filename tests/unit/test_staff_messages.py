"""The staff API's messages: limits checked on the way in, no secret on the way out."""
import pytest

from hall.domain.errors import InvalidArgument
from hall.domain.staff import Change, SECRET_FIELDS
from hall.v1 import staff_pb2 as pb
from services.staff import messages
from tests.unit.test_staff_repository_contract import NOW, member


def test_a_staff_member_message_has_no_field_for_a_hash_or_a_secret():
    fields = set(pb.StaffMember.DESCRIPTOR.fields_by_name)
    assert not fields & SECRET_FIELDS and not [f for f in fields if "secret" in f or "hash" in f]


def test_a_member_encodes_from_its_profile():
    m = member(password_hash="$argon2id$x", totp_secret="SECRET", totp_enabled=True)
    out = messages.member(m.profile())
    assert (out.staff_id, list(out.roles), out.totp_enabled, out.has_password) == ("LX00-C01", ["clerk"], True, True)
    assert "SECRET" not in str(out) and "argon2" not in str(out)


@pytest.mark.parametrize("request_, why", [
    (pb.SignInRequest(staff_id="x" * 33, password="p"), "staff_id has at most 32"),
    (pb.SignInRequest(staff_id="LX00-C01", password="p" * 129), "password has at most 128"),
    (pb.SignInRequest(staff_id="LX00-C01", password="p", totp_code="1234567"), "totp_code"),
    (pb.SignInRequest(staff_id="", password="p"), "staff_id is required"),
    (pb.SignInRequest(staff_id="LX00-C01"), "password is required"),
])
def test_sign_in_requests_beyond_the_limits_are_refused(request_, why):
    with pytest.raises(InvalidArgument, match=why):
        messages.sign_in(request_)


def test_member_lists_are_bounded():
    with pytest.raises(InvalidArgument, match="at most 50"):
        messages.member_fields(pb.StaffMember(staff_id="LX00-C01", windows=[f"W{i}" for i in range(51)]))


def test_a_change_flattens_its_fields_to_text():
    c = messages.change(Change("LX00-C01", "admin", NOW, "updated", {"roles": ["clerk", "issuer"], "active": False, "n": 2}))
    assert dict(c.fields) == {"roles": "clerk, issuer", "active": "false", "n": "2"}
    assert c.at == "2026-11-26T09:00:00.000+08:00"
