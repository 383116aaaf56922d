"""Who may do what: staff roles, their site and department, and the rules that bind them."""
from __future__ import annotations

from dataclasses import dataclass, asdict

from .errors import InvalidArgument, NotFound, PermissionDenied

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


def no_such_case(case_no: str) -> str:
    """The one answer for a case that does not exist — and for one the caller may not see,
    so that nobody outside a case's departments can tell the two apart."""
    return f"no case numbered {case_no[:40]!r}"


def may_see_case(actor: Actor, departments: list[str], case_no: str = "") -> None:
    """Front desk, issuance and supervision see every case; a department sees only its own
    (another department's case is answered as missing when the case number is given)."""
    if actor.role in ("reviewer", "chief"):
        if actor.department not in departments:
            if case_no:
                raise NotFound(no_such_case(case_no))
            raise PermissionDenied(f"this case is not routed to your department {actor.department}")
    elif actor.role not in ("clerk", "issuer", "supervisor", "admin", "system"):
        raise PermissionDenied(f"role {actor.role} may not read cases")


def may_act_for(actor: Actor, department: str, action: str) -> None:
    """Only the department's own reviewers and chief representative act on its cases."""
    require_role(actor, "reviewer", "chief", action=action)
    if actor.department != department:
        raise PermissionDenied(
            f"you belong to department {actor.department} and may not act for {department}")


def own_site_unless_office(actor: Actor, site: str, what: str) -> str:
    """The site whose `what` the caller may read: their own, or any for the supervision office."""
    if site and site != actor.site and actor.role not in ("supervisor", "admin"):
        raise PermissionDenied(f"you may read {what} of your own site {actor.site} only")
    return site or actor.site


def statistics_key(actor: Actor, group_by: str, key: str) -> str:
    """监督考核: the supervision office sees every figure; a chief only their department's."""
    if actor.role == "chief":
        if group_by != "department" or key not in ("", actor.department):
            raise PermissionDenied("a chief representative sees the figures of their own department only")
        return actor.department
    require_role(actor, "supervisor", "admin", action="reading the assessment figures")
    return key


def may_work_at(actor: Actor, site: str, what: str) -> None:
    """A clerk works on what belongs to their own site."""
    if actor.site != site:
        raise PermissionDenied(f"{what} is for site {site}; you are signed in at {actor.site}")


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



def may_take_ticket(actor: Actor, site: str) -> None:
    """A clerk issues tickets at their own site; a site's kiosk at its own site."""
    require_role(actor, "clerk", "system", action="issuing a queue ticket")
    if actor.site and actor.site != site:
        raise PermissionDenied(f"you are signed in at site {actor.site}, not {site}")


def department_to_read(actor: Actor, requested: str, what: str, others=("supervisor", "admin")) -> str:
    """The department whose `what` the caller may read: a department's own staff their own;
    `others` (the supervision office, and for some lists the front desk) any ("" = all)."""
    if actor.role in ("reviewer", "chief"):
        if requested and requested != actor.department:
            raise PermissionDenied(f"you may read only your own department's {what} ({actor.department})")
        return actor.department
    require_role(actor, *others, action=f"reading {what}")
    return requested


def may_acknowledge_notice(actor: Actor, department: str) -> None:
    """督办: the department's chief representative or the supervision office acknowledges."""
    if actor.role in ("supervisor", "admin") or (actor.role == "chief" and actor.department == department):
        return
    raise PermissionDenied(f"only the chief representative of {department} or the "
                           "supervision office may acknowledge this notice")


def may_resolve_follow_up(actor: Actor, department: str) -> None:
    """好差评 整改: closed by the department's chief representative or the supervision office."""
    if actor.role == "chief":
        if department and actor.department != department:
            raise PermissionDenied(f"this follow-up belongs to department {department}")
    elif actor.role not in ("supervisor", "admin"):
        raise PermissionDenied("a follow-up is closed by the chief representative or the supervision office")


def may_sign_handover(actor: Actor, department: str, case_no: str, case_departments=()) -> None:
    """材料交接: only the receiving department signs for the paper (another department's
    case answers as a missing one)."""
    require_role(actor, "reviewer", "chief", action="signing a hand-over")
    if case_departments and actor.department not in case_departments:
        raise NotFound(no_such_case(case_no))
    if actor.department != department:
        raise PermissionDenied(f"the paper of {case_no} goes to {department}, "
                               f"not to your department {actor.department}")


def is_named_chief(actor: Actor, department: str, chiefs: dict) -> bool:
    """首席代表制: the chief representative the reference data names for the department."""
    return actor.role == "chief" and actor.department == department and chiefs.get(department) == actor.staff_id


def may_administer_staff(actor: Actor, action: str) -> None:
    require_role(actor, "admin", action=action)


def may_read_staff_changes(actor: Actor) -> None:
    require_role(actor, "admin", "supervisor", action="reading the staff changes")


# the hall's own processes, by their service accounts (hall/runtime/secrets.py makes them)
PROCESS_ACCOUNTS = ("svc-gateway", "svc-intake", "svc-routing", "svc-approval", "svc-delivery", "svc-sla")


def may_list_revocations(actor: Actor) -> None:
    """Only the hall's own processes verify tokens, so only they read who was signed out."""
    require_role(actor, "system", action="listing revocations")
    if actor.staff_id not in PROCESS_ACCOUNTS:
        raise PermissionDenied("the revocation list is for the hall's own services")


def may_change_own_record(actor: Actor) -> None:
    if actor.role == "system" or actor.staff_id.startswith("svc-"):
        raise PermissionDenied("a service account has no record in the staff directory")

# ---- Method gates: which roles may call each public method at all (the gateway and the
# service that owns the method both apply this table; finer rules — site, department, the
# case itself — are the functions above, called by the owner).
STAFF = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin")
CASE_READERS = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin")
OFFICE = ("supervisor", "admin")
DEPARTMENT = ("reviewer", "chief")
ISSUANCE_READERS = ("issuer", "clerk", "supervisor", "admin")
PUBLIC = "public"  # needs no sign-in: signing in, checking a document one holds, the call screen
# look-ups by verification code, limited per caller (staff id, or address when not signed in)
LOOKUPS = ("hall.v1.BackOffice/VerifyDecision", "hall.v1.BackOffice/VerifyLicence")
LOOKUPS_PER_MINUTE = 20

_REVIEW_STEPS = ("Claim", "Release", "Decide", "RequestSupplement", "StartProcedure", "EndProcedure",
                 "RequestExtension")
_CHIEF_STEPS = ("Assign", "SignOff", "DecideExtension", "SetJointMode", "ExtendJoint", "Revoke")  # 首席代表
_CATALOGUE_READS = ("GetCatalogueVersion", "GetCatalogueSnapshot", "ListCatalogueVersions",
                    "GetCatalogueItem", "ListCatalogueItems", "ListSites", "ListDepartments",
                    "ListWindows", "ListDelegations", "GetHandbook")

METHOD_ROLES: dict[str, tuple[str, ...] | str] = {
    "hall.v1.HallGateway/AcceptApplication": ("clerk",),
    "hall.v1.HallGateway/GetCase": CASE_READERS,
    "hall.v1.HallGateway/ListWorklist": (*DEPARTMENT, *OFFICE),
    "hall.v1.HallGateway/RecordDecision": DEPARTMENT,
    "hall.v1.HallGateway/RecordPickup": ("issuer",),

    **{f"hall.v1.HallCatalogue/{m}": (*STAFF, "system") for m in _CATALOGUE_READS},
    "hall.v1.HallCatalogue/ReloadCatalogue": ("admin",),

    "hall.v1.BackOffice/Worklist": (*DEPARTMENT, *OFFICE),
    "hall.v1.BackOffice/GetReview": CASE_READERS,
    **{f"hall.v1.BackOffice/{m}": DEPARTMENT for m in _REVIEW_STEPS},
    **{f"hall.v1.BackOffice/{m}": ("chief",) for m in _CHIEF_STEPS},
    "hall.v1.BackOffice/ListHeld": OFFICE,
    "hall.v1.BackOffice/DispatchHeld": OFFICE,
    "hall.v1.BackOffice/VerifyDecision": PUBLIC,
    "hall.v1.BackOffice/FindLicences": (*STAFF, "system"),
    "hall.v1.BackOffice/VerifyLicence": PUBLIC,

    "hall.v1.FrontDesk/TakeTicket": ("clerk", "system"),
    "hall.v1.FrontDesk/CallNext": ("clerk",),
    "hall.v1.FrontDesk/RecallTicket": ("clerk",),
    "hall.v1.FrontDesk/MarkNoShow": ("clerk",),
    "hall.v1.FrontDesk/TransferTicket": ("clerk",),
    "hall.v1.FrontDesk/FinishTicket": ("clerk",),
    "hall.v1.FrontDesk/QueueStatus": ("clerk", *OFFICE, "system"),
    "hall.v1.FrontDesk/CallBoard": PUBLIC,  # 叫号屏: ticket numbers and windows only
    "hall.v1.FrontDesk/Consult": ("clerk",),
    "hall.v1.FrontDesk/GetConsultation": STAFF,
    "hall.v1.FrontDesk/SubmitApplication": ("clerk",),
    "hall.v1.FrontDesk/GetDocument": STAFF,
    "hall.v1.FrontDesk/SubmitOnline": ("system", "clerk"),
    "hall.v1.FrontDesk/ListPrereviews": ("clerk", *OFFICE),
    "hall.v1.FrontDesk/PassPrereview": ("clerk",),
    "hall.v1.FrontDesk/ReturnPrereview": ("clerk",),
    "hall.v1.FrontDesk/ListHandovers": (*DEPARTMENT, "clerk", *OFFICE),
    "hall.v1.FrontDesk/SignHandover": DEPARTMENT,
    "hall.v1.FrontDesk/ListSupplements": ("clerk", *OFFICE),
    "hall.v1.FrontDesk/SubmitSupplement": ("clerk",),

    "hall.v1.Issuance/GetIssuance": ISSUANCE_READERS,
    "hall.v1.Issuance/ListPickupQueue": ISSUANCE_READERS,
    "hall.v1.Issuance/RecordProxy": ("issuer", "clerk"),
    "hall.v1.Issuance/Collect": ("issuer",),
    "hall.v1.Issuance/ChooseCourier": ("issuer", "clerk"),
    "hall.v1.Issuance/ReceiveHandover": ("issuer",),
    "hall.v1.Issuance/UnlockPickup": ("issuer",),

    "hall.v1.Supervision/GetCaseClock": CASE_READERS,
    "hall.v1.Supervision/ListCasesAtRisk": (*DEPARTMENT, *OFFICE),
    "hall.v1.Supervision/ListNotices": (*DEPARTMENT, *OFFICE),
    "hall.v1.Supervision/AcknowledgeNotice": ("chief", *OFFICE),
    "hall.v1.Supervision/RateService": STAFF,
    "hall.v1.Supervision/ListFollowUps": (*DEPARTMENT, *OFFICE),
    "hall.v1.Supervision/ResolveFollowUp": ("chief", *OFFICE),
    "hall.v1.Supervision/GetStatistics": ("chief", *OFFICE),
    "hall.v1.Supervision/ExportStatistics": ("chief", *OFFICE),

    "hall.v1.Staff/SignIn": PUBLIC,
    **{f"hall.v1.Staff/{m}": STAFF for m in ("SignOut", "WhoAmI", "ChangePassword", "EnrolTotp",
                                             "ConfirmTotp")},
    **{f"hall.v1.Staff/{m}": ("admin",) for m in ("ListStaff", "GetStaff", "AddStaff", "UpdateStaff",
                                                  "DeactivateStaff", "ReactivateStaff", "SetPassword",
                                                  "UnlockStaff", "ResetTotp")},
    "hall.v1.Staff/ListStaffChanges": OFFICE,
    "hall.v1.Staff/ListRevocations": ("system",),

    "hall.v1.Audit/ListCaseAccess": ("supervisor",),  # who read or changed a case (docs/audit.md)
}

ACTIONS = {  # how a refusal names what was attempted, for the methods whose name says little
    "AcceptApplication": "accepting an application", "SubmitApplication": "accepting an application",
    "RecordDecision": "deciding", "RecordPickup": "issuing a result", "Collect": "issuing a result",
    "ReloadCatalogue": "reloading the catalogue",
}


def _key(method: str) -> str:
    return method.lstrip("/")


def is_lookup(method: str) -> bool:
    """Public look-ups by verification code: limited per caller and minute (hall.domain.limits)."""
    return _key(method) in LOOKUPS


def is_public(method: str) -> bool:
    """Methods anyone may call without signing in."""
    return METHOD_ROLES.get(_key(method)) == PUBLIC


def may_call(actor: Actor, method: str) -> None:
    """The method gate: refuse a caller whose role may never call `method` (unknown methods
    are refused too, so a new method must be given its roles here)."""
    roles = METHOD_ROLES.get(_key(method))
    if roles is None:
        raise PermissionDenied(f"{_key(method)} is not open to callers")
    if roles == PUBLIC:
        return
    name = _key(method).rsplit("/", 1)[-1]
    require_role(actor, *roles, action=ACTIONS.get(name, name))
