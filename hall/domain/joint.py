"""The review of a whole case: one parent and one child review per responsible department.

A single-department case has one child. A 联办件 (joint case) has one child per department,
reviewed in parallel. The parent is decided when every child has decided (general mode) or has
at least committed (告知承诺 mode); one rejection rejects the whole, with every reason. The
parent's legal limit follows the joint rule (45 working days, +15 with the government head's
approval). Every step goes through `act`, which checks who may do it and returns the events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from . import decision, licence
from .clock import JOINT_EXTENSION
from .errors import AlreadyDone, InvalidArgument, NotFound, PermissionDenied, StepOutOfOrder
from .events import Event, new_event
from .identity import Actor, is_named_chief, may_act_for, no_such_case
from .review import DepartmentReview, text

CHIEF_ONLY = ("assign", "sign_off", "decide_extension", "revoke", "set_mode", "extend_joint")
ACTIONS = ("claim", "release", "decide", "request_supplement", "start_procedure", "end_procedure",
           "request_extension", *CHIEF_ONLY)
CARRIED = ("item", "applicant", "delivery", "address", "materials")  # materials: originals to return
# the public API's call for each step (backoffice.proto)
RPC_STEPS = {"Claim": "claim", "Release": "release", "Assign": "assign", "Decide": "decide",
             "SignOff": "sign_off", "RequestSupplement": "request_supplement",
             "StartProcedure": "start_procedure", "EndProcedure": "end_procedure",
             "RequestExtension": "request_extension", "DecideExtension": "decide_extension",
             "SetJointMode": "set_mode", "ExtendJoint": "extend_joint", "Revoke": "revoke"}


@dataclass(frozen=True)
class Authority:
    """What the approval service knows from the reference data, and its seals."""
    chiefs: dict                         # department -> staff id of its 首席代表
    licence_types: dict                  # code -> {code, name, department, trust_level}
    procedures: tuple[str, ...]          # special procedures whose time is not counted
    signer: Callable[[str, dict], dict]  # (department, document) -> sealed record

    def is_chief(self, actor: Actor, department: str) -> bool:
        return is_named_chief(actor, department, self.chiefs)


@dataclass
class CaseReview:
    case_no: str
    site: str
    routed: dict
    mode: str                                   # single, general, commitment
    children: dict                              # department -> DepartmentReview
    outcome: str = ""
    decision: dict = field(default_factory=dict)
    licence: dict = field(default_factory=dict)
    revocation: dict = field(default_factory=dict)
    joint_extension: dict = field(default_factory=dict)
    rev: int = 0

    @classmethod
    def from_routed(cls, event: Event) -> "CaseReview":
        departments = event.data["departments"]  # a routed case without them is a bad event
        queues = event.data.get("queues") or {}
        mode = "single" if len(departments) == 1 else (
            "commitment" if event.data.get("joint_mode") == "commitment" else "general")
        return cls(event.case_no, event.site, dict(event.data), mode,
                   {d: DepartmentReview(d, f"{event.case_no}-{d}", queues.get(d, "backoffice"))
                    for d in departments})

    @property
    def lead(self) -> str:
        return self.routed.get("lead") or next(iter(self.children))

    def _event(self, type_: str, actor: Actor, now: datetime, data: dict, caused_by=None) -> Event:
        return new_event(type_, self.case_no, self.site, now, actor.to_dict(), data, caused_by)

    def act(self, actor: Actor, action: str, args: dict, auth: Authority, now: datetime) -> list[Event]:
        """Take one review step for `args["department"]` (default: the actor's); returns its events."""
        if action not in ACTIONS:
            raise InvalidArgument(f"unknown review action {action!r}")
        dept = args.get("department") or actor.department
        may_act_for(actor, dept, action.replace("_", " "))
        if dept not in self.children:  # another department's case looks like a missing one
            raise NotFound(no_such_case(self.case_no))
        chief = auth.is_chief(actor, dept)
        if action in CHIEF_ONLY and not chief:
            raise PermissionDenied(f"{action.replace('_', ' ')} is for the chief representative of {dept} "
                                   f"({auth.chiefs.get(dept, 'not named')})")
        child: DepartmentReview = self.children[dept]
        return getattr(self, f"_{action}")(child, actor, chief, args, auth, now)

    # -- steps -----------------------------------------------------------------------------
    def _claim(self, child, actor, chief, args, auth, now):
        child.claim(actor, now)
        return []

    def _release(self, child, actor, chief, args, auth, now):
        child.release(actor, chief, now)
        return []

    def _assign(self, child, actor, chief, args, auth, now):
        child.assign(actor, args.get("assignee", ""), now)
        return []

    def _decide(self, child, actor, chief, args, auth, now):
        was_committed = child.status == "committed"
        result = decision.decide(child, actor, chief, args.get("outcome", ""), args.get("reason", ""),
                                 args.get("legal_basis", ""), list(args.get("conditions", [])), self.mode, now)
        return self._decided(child, actor, result, was_committed, auth, now)

    def _sign_off(self, child, actor, chief, args, auth, now):
        result = decision.sign_off(child, actor, bool(args.get("approve")), args.get("note", ""), now)
        return self._decided(child, actor, result, False, auth, now)

    def _request_supplement(self, child, actor, chief, args, auth, now):
        child.may_work(actor, chief)
        data = child.request_supplement(actor, args.get("reason", ""), list(args.get("materials", [])), now)
        if args.get("deadline_days"):
            data["deadline_days"] = int(args["deadline_days"])
        return [self._event("supplement_requested", actor, now, data)]

    def _start_procedure(self, child, actor, chief, args, auth, now):
        child.may_work(actor, chief)
        data = child.start_procedure(actor, args.get("kind", ""), int(args.get("expected_days", 0)),
                                     args.get("note", ""), auth.procedures, now)
        return [self._event("procedure_started", actor, now, data)]

    def _end_procedure(self, child, actor, chief, args, auth, now):
        child.may_work(actor, chief)
        return [self._event("procedure_ended", actor, now, child.end_procedure(actor, now))]

    def _request_extension(self, child, actor, chief, args, auth, now):
        child.may_work(actor, chief)
        child.request_extension(actor, args.get("reason", ""), now)
        return []

    def _decide_extension(self, child, actor, chief, args, auth, now):
        data = child.decide_extension(actor, bool(args.get("approve")), args.get("note", ""), now)
        return [self._event("extension_granted", actor, now, data)] if data else []

    def _set_mode(self, child, actor, chief, args, auth, now):
        mode = args.get("mode", "")
        if self.mode == "single":
            raise StepOutOfOrder(f"case {self.case_no} is not a joint case; it has no joint mode to set")
        if child.department != self.lead:
            raise PermissionDenied("only the lead department's chief representative sets a joint case's mode")
        if mode not in ("general", "commitment"):
            raise InvalidArgument("mode must be general or commitment (告知承诺)")
        if any(c.status not in ("pending", "supplement", "procedure") for c in self.children.values()):
            raise StepOutOfOrder("the mode is set before any department decides or commits")
        self.mode = mode
        child.record("mode_set", actor, now, mode=mode)
        return []

    def _extend_joint(self, child, actor, chief, args, auth, now):
        if self.mode == "single":
            raise StepOutOfOrder(f"case {self.case_no} is not a joint case; the joint extension does not apply")
        if child.department != self.lead:
            raise PermissionDenied("the joint extension is asked by the lead department's chief representative")
        if self.outcome:
            raise AlreadyDone(f"case {self.case_no} is already decided")
        if self.joint_extension:
            raise AlreadyDone(f"case {self.case_no} was already extended by {JOINT_EXTENSION} days")
        reason = text(args.get("reason", ""), "the reason for the extension (it is told to the applicant)")
        approved_by = text(args.get("approved_by", ""), "who in the district government approved it", 200)
        self.joint_extension = {"days": JOINT_EXTENSION, "reason": reason, "approved_by": approved_by,
                                "asked_by": actor.staff_id, "at": now.isoformat()}
        child.record("joint_extension_granted", actor, now, days=JOINT_EXTENSION, approved_by=approved_by)
        return [self._event("extension_granted", actor, now, {
            "department": child.department, "days": JOINT_EXTENSION, "reason": reason,
            "approved_by": approved_by, "scope": "joint"})]

    def _revoke(self, child, actor, chief, args, auth, now):
        if not self.outcome:
            raise StepOutOfOrder(f"case {self.case_no} is not decided yet; there is nothing to revoke")
        if self.revocation:
            raise AlreadyDone(f"the decision on case {self.case_no} was already revoked")
        child.require("approved", "rejected", "committed", step="revoking")
        reason = text(args.get("reason", ""), "the reason for the revocation")
        basis = text(args.get("legal_basis", ""), "the legal basis of the revocation", 500)
        self.revocation = {"department": child.department, "reason": reason, "legal_basis": basis,
                           "by": actor.staff_id, "at": now.isoformat()}
        child.revocation, child.status = dict(self.revocation), "revoked"
        child.record("revoked", actor, now, reason=reason, legal_basis=basis)
        return [self._event("decision_revoked", actor, now, {
            "department": child.department, "reason": reason, "legal_basis": basis,
            "verification_code": self.decision.get("code", ""),
            "licence_number": self.licence.get("licence_number", "")})]

    # -- sealing and settling ---------------------------------------------------------------
    def _decided(self, child, actor, result, was_committed, auth, now) -> list[Event]:
        if result is None:
            return []
        sealed = auth.signer(child.department, self._document(child.department, result))
        if was_committed:
            child.decision["confirmed"] = {**result, **sealed}
        else:
            child.decision = {**result, **sealed}
        events = [self._event("decision_made", actor, now, {
            "department": child.department, "child_no": child.child_no, "outcome": result["outcome"],
            "reason": result["reason"], "legal_basis": result["legal_basis"],
            "conditions": result["conditions"], "signed_by": result["signed_by"],
            "verification_code": sealed["code"]})]
        return events + self._settle(actor, auth, now)

    def _document(self, department: str, result: dict, kind: str = "") -> dict:
        item, applicant = self.routed.get("item") or {}, self.routed.get("applicant") or {}
        return {"kind": kind or {"approved": "准予行政许可决定书", "rejected": "不予行政许可决定书",
                                 "committed": "告知承诺审批决定书"}[result["outcome"]],
                "case_no": self.case_no, "department": department, "item_code": item.get("code", ""),
                "item_name": item.get("name", ""), "applicant_name": applicant.get("name", ""),
                "applicant_id": applicant.get("id_number", ""), **result}

    def _settle(self, actor: Actor, auth: Authority, now: datetime) -> list[Event]:
        """Decide the parent once every child is done (or committed, in commitment mode)."""
        done = ("approved", "rejected") + (("committed",) if self.mode == "commitment" else ())
        if self.outcome or any(c.status not in done for c in self.children.values()):
            return []
        rejected = [c for c in self.children.values() if c.status == "rejected"]
        self.outcome = "rejected" if rejected else "approved"
        reasons = [{"department": c.department, "reason": c.decision["reason"],
                    "legal_basis": c.decision["legal_basis"]} for c in rejected]
        if self.mode == "single":
            self.decision = dict(next(iter(self.children.values())).decision)
        else:
            result = {"outcome": self.outcome, "mode": self.mode, "reasons": reasons,
                      "departments": {d: c.decision["code"] for d, c in self.children.items()},
                      "at": now.isoformat()}
            self.decision = {**result, **auth.signer(self.lead, self._document(self.lead, result, "联审联办审批决定书"))}
        carried = {k: self.routed.get(k) for k in CARRIED}
        events = [self._event("case_decided", actor, now, {
            **carried, "outcome": self.outcome, "reasons": reasons, "mode": self.mode,
            "conditions": [x for c in self.children.values() for x in c.decision.get("conditions", [])],
            "verification_code": self.decision["code"]})]
        code = (self.routed.get("item") or {}).get("licence_type")
        if self.outcome == "approved" and code in auth.licence_types:
            lt = auth.licence_types[code]
            dept = lt.get("department") if lt.get("department") in self.children else self.lead
            self.licence = licence.issue(self.case_no, self.routed.get("item") or {},
                                         self.routed.get("applicant") or {}, lt, dept, now.isoformat(), auth.signer)
            events.append(self._event("licence_issued", actor, now, licence.event_data(self.licence)))
        return events
