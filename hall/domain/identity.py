"""Who may do what: staff roles, their site and department, and the rules that bind them."""
from __future__ import annotations

from dataclasses import dataclass, asdict

from .errors import InvalidArgument, PermissionDenied

ROLES = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin", "system")
SYSTEM = None  # set below


@dataclass(frozen=True)
class Actor:
    staff_id: str
    role: str
    site: str
    department: str = ""

    def __post_init__(self):
        if self.role not in ROLES:
            raise InvalidArgument(f"unknown role {self.role!r}; roles are {', '.join(ROLES)}")
        if not self.staff_id:
            raise InvalidArgument("the caller has no staff id")
        if self.role in ("reviewer", "chief") and not self.department:
            raise InvalidArgument(f"a {self.role} must belong to a department")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Actor":
        return cls(d.get("staff_id", ""), d.get("role", ""), d.get("site", ""),
                   d.get("department", ""))


SYSTEM = Actor("system", "system", "", "")


def require_role(actor: Actor, *roles: str, action: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(f"{action} is for {' / '.join(roles)}; you are signed in as {actor.role}")


def may_accept(actor: Actor, site: str) -> None:
    """A clerk accepts only at the site of their own window."""
    require_role(actor, "clerk", action="accepting an application")
    if actor.site != site:
        raise PermissionDenied(f"you are signed in at site {actor.site}, not {site}")


def may_see_case(actor: Actor, departments: list[str]) -> None:
    """Front desk, issuance and supervision see every case; a department sees only its own."""
    if actor.role in ("reviewer", "chief"):
        if actor.department not in departments:
            raise PermissionDenied(f"this case is not routed to your department {actor.department}")
    elif actor.role not in ("clerk", "issuer", "supervisor", "admin"):
        raise PermissionDenied(f"role {actor.role} may not read cases")


def may_act_for(actor: Actor, department: str, action: str) -> None:
    """Only the department's own reviewers and chief representative act on its cases."""
    require_role(actor, "reviewer", "chief", action=action)
    if actor.department != department:
        raise PermissionDenied(
            f"you belong to department {actor.department} and may not act for {department}")


def worklist_department(actor: Actor, requested: str) -> str:
    """Whose worklist the caller may read: their own department's, or any for supervision."""
    department = requested or actor.department
    if actor.role in ("reviewer", "chief"):
        if department != actor.department:
            raise PermissionDenied(f"you may read only your own department's worklist ({actor.department})")
    else:
        require_role(actor, "supervisor", "admin", action="reading a worklist")
    if not department:
        raise InvalidArgument("name the department whose worklist to read")
    return department
