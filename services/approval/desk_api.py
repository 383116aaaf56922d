"""hall.v1.BackOffice, served by approval-api: worklists, review steps, held cases, and the
verification of decision documents and e-licences (电子证照库). The caller is the one the
token names (hall.infra.auth); each call applies the policy module's rules itself."""
from __future__ import annotations

from datetime import datetime

from hall.domain import desk, seal
from hall.domain.errors import InvalidArgument, NotFound
from hall.domain.events import new_event
from hall.domain import identity
from hall.domain.joint import RPC_STEPS
from hall.domain.clock import SHANGHAI
from hall.infra import auth, grpcutil
from hall.v1 import backoffice_pb2 as bo, backoffice_pb2_grpc, licences_pb2
from services.approval import views

def action_args(r: bo.ReviewActionRequest) -> dict:
    return {"department": r.department, "outcome": r.outcome, "reason": r.reason,
            "legal_basis": r.legal_basis, "conditions": list(r.conditions),
            "materials": [{"name": m.name, "problem": m.problem} for m in r.materials],
            "deadline_days": r.deadline_days, "kind": r.kind, "expected_days": r.expected_days,
            "note": r.note, "assignee": r.assignee, "approve": r.approve, "mode": r.mode,
            "approved_by": r.approved_by}


def limit_of(n: int) -> int:
    n = n or 50
    if not 0 < n <= 500:
        raise InvalidArgument("limit must be between 1 and 500")
    return n


class LicenceLibrary:
    """电子证照库: find a holder's licences, verify one by number (BackOffice's last two calls)."""

    @grpcutil.unary("approval")
    def FindLicences(self, request, context):
        """A holder's licences (valid ones unless include_inactive), optionally of one type."""
        if not request.holder_id.strip() or len(request.holder_id) > 40:
            raise InvalidArgument("holder_id (ID number or unified social credit code) is required")
        today = datetime.now(SHANGHAI).date()
        found = [views.licence_view(d, self.keyring, today) for d in self.repo.licences(request.holder_id.strip())]
        found = [lic for lic in found if (not request.licence_type or lic.licence_type == request.licence_type)
                 and (request.include_inactive or lic.status == "valid")]
        return licences_pb2.FindLicencesResponse(licences=found)

    @grpcutil.unary("approval")
    def VerifyLicence(self, request, context):
        """Anyone: one licence with its seal checked: valid, expired, revoked or tampered."""
        doc = self.repo.licence(request.licence_number.strip()) if request.licence_number.strip() else None
        if doc is None:
            raise NotFound(f"no e-licence numbered {request.licence_number!r} was issued here")
        return views.licence_view(doc, self.keyring, datetime.now(SHANGHAI).date())


class DeskServicer(LicenceLibrary, backoffice_pb2_grpc.BackOfficeServicer):
    def __init__(self, repo, calendar, authority, keyring):
        self.repo, self.calendar, self.auth, self.keyring = repo, calendar, authority, keyring

    def _today(self):
        return datetime.now(SHANGHAI).date()

    def act(self, action: str, request):
        """One review step, applied under optimistic concurrency (never two reviewers on one case)."""
        actor = auth.caller()
        if not request.case_no:
            raise InvalidArgument("case_no is required")
        identity.may_act_for(actor, request.department or actor.department, action.replace("_", " "))
        args = action_args(request)
        review = self.repo.mutate(request.case_no, lambda r: r.act(
            actor, action, args, self.auth, datetime.now(SHANGHAI)))
        return views.review_view(review, self.calendar, self._today())

    @grpcutil.unary("approval")
    def Worklist(self, request, context):
        """A department's reviews, earliest deadline first, with working days left."""
        actor, r = auth.caller(), request
        r.department = identity.worklist_department(actor, r.department)
        if r.queue and r.queue not in ("backoffice", "professional"):
            raise InvalidArgument("queue is backoffice or professional")
        docs = self.repo.worklist(r.department, limit_of(r.limit), r.include_decided, r.queue,
                                  actor.staff_id if r.mine else "")
        today = self._today()
        return bo.BackOfficeWorklistResponse(items=[views.work_item(desk.worklist_line(
            desk.from_doc(d), r.department, self.calendar, today)) for d in docs])

    @grpcutil.unary("approval")
    def GetReview(self, request, context):
        """A case's review, for its departments' staff, the front desk and supervision."""
        if not request.case_no or len(request.case_no) > 40:
            raise InvalidArgument("case_no is required")
        review = self.repo.get(request.case_no)
        identity.may_see_case(auth.caller(), list(review.children), request.case_no)
        return views.review_view(review, self.calendar, self._today())

    @grpcutil.unary("approval")
    def ListHeld(self, request, context):
        """Cases nobody is responsible for, oldest first."""
        return bo.ListHeldResponse(cases=[views.held_case(d) for d in
                                          self.repo.held(request.include_dispatched, limit_of(request.limit))])

    @grpcutil.unary("approval")
    def DispatchHeld(self, request, context):
        """The supervision office sends a held case to the departments it names, once."""
        actor, r = auth.caller(), request
        departments = list(dict.fromkeys(r.departments))
        unknown = [d for d in departments if d not in self.auth.chiefs]
        if not departments or unknown:
            raise InvalidArgument(f"name the responsible departments by code; unknown: {', '.join(unknown) or 'none given'}")
        held = self.repo.db.held.find_one({"_id": r.case_no})
        if held is None:
            raise NotFound(f"case {r.case_no} is not held")
        now = datetime.now(SHANGHAI)
        event = new_event("case_dispatched", r.case_no, held["event"]["site"], now, actor.to_dict(),
                          {"departments": departments, "note": r.note[:500],
                           "held_reason": held["event"]["data"].get("reason", "")})
        doc = self.repo.dispatch(r.case_no, {"departments": departments, "by": actor.staff_id,
                                             "at": now.isoformat(), "note": r.note[:500]}, event.to_dict())
        return views.held_case(doc)

    @grpcutil.unary("approval")
    def VerifyDecision(self, request, context):
        """Anyone: check a decision document by its verification code against its department's seal."""
        if not request.verification_code.strip():
            raise InvalidArgument("verification_code is required")
        code = seal.normalise_code(request.verification_code)
        doc = self.repo.by_code(code) if len(code) == 19 else None
        if doc is None:
            raise NotFound(f"no decision document has verification code {request.verification_code!r}")
        review = desk.from_doc(doc)
        sealed = next(s for s in sealed_records(review) if s.get("code") == code)
        text = request.document_json or sealed["document_json"]
        valid = seal.verify(text, sealed["signature"], self.keyring.public_key(sealed["key_id"]) or "")
        status = "tampered" if not valid else "revoked" if review.revocation else "valid"
        message = {"tampered": "签章校验失败：文书内容与审批专用章签名不符",
                   "revoked": f"文书真实，但该决定已撤销：{review.revocation.get('reason', '')}",
                   "valid": "文书真实有效"}[status]
        return bo.VerifyDecisionResponse(
            valid=status == "valid", status=status, message=message, case_no=review.case_no,
            department=sealed["key_id"].rsplit("-v", 1)[0], document_json=sealed["document_json"],
            signature=sealed["signature"], key_id=sealed["key_id"],
            public_key=self.keyring.public_key(sealed["key_id"]) or "",
            revoked_reason=review.revocation.get("reason", ""))


def sealed_records(review) -> list[dict]:
    out = [review.decision] if review.decision.get("code") else []
    for c in review.children.values():
        out += [d for d in (c.decision, c.decision.get("confirmed") or {}) if d.get("code")]
    return out


def _step(name: str, action: str):
    @grpcutil.unary("approval")
    def step(self, request, context):
        return self.act(action, request)
    step.__name__ = step.__qualname__ = name
    step.__doc__ = f"Review step {action} for the caller's department (see backoffice.proto)."
    return step


for _name, _action in RPC_STEPS.items():
    setattr(DeskServicer, _name, _step(_name, _action))
