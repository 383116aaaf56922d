"""Who may do what, before any service is asked."""
import pytest

from hall.domain.errors import InvalidArgument, PermissionDenied
from hall.domain.identity import Actor, may_accept, may_act_for, may_see_case


def test_a_clerk_accepts_only_at_their_own_site():
    may_accept(Actor("c1", "clerk", "LX00"), "LX00")
    with pytest.raises(PermissionDenied, match="LX00"):
        may_accept(Actor("c1", "clerk", "LX00"), "LX03")
    with pytest.raises(PermissionDenied):
        may_accept(Actor("r1", "reviewer", "LX00", "SCJG"), "LX00")


def test_a_department_sees_and_acts_only_on_its_own_cases():
    rev = Actor("r1", "reviewer", "LX00", "SCJG")
    may_see_case(rev, ["SCJG", "SYJ"])
    with pytest.raises(PermissionDenied):
        may_see_case(rev, ["SYJ"])
    may_act_for(rev, "SCJG", "deciding")
    with pytest.raises(PermissionDenied):
        may_act_for(rev, "SYJ", "deciding")


def test_front_desk_issuance_and_supervision_see_every_case():
    for role in ("clerk", "issuer", "supervisor", "admin"):
        may_see_case(Actor("x", role, "LX00"), ["SYJ"])


def test_a_reviewer_without_a_department_or_an_unknown_role_is_no_actor():
    with pytest.raises(InvalidArgument):
        Actor("r1", "reviewer", "LX00")
    with pytest.raises(InvalidArgument):
        Actor("x", "janitor", "LX00")
