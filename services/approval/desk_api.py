"""approval-api's back-office services: review steps (ApprovalDesk) and the e-licence library
(LicenceLibrary). The gateway has checked the caller's token and passes the Actor along."""
from __future__ import annotations

from datetime import datetime

from hall.domain import desk, seal
from hall.domain.errors import InvalidArgument, NotFound
from hall.domain.events import new_event
from hall.domain.identity import may_see_case, require_role
from hall.domain.clock import SHANGHAI
from hall.infra import convert, grpcutil
from hall.v1 import backoffice_pb2 as bo, backoffice_pb2_grpc, licences_pb2, licences_pb2_grpc
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


class DeskServicer(backoffice_pb2_grpc.ApprovalDeskServicer):
    def __init__(self, repo, calendar, auth, keyring):
        self.repo, self.calendar, self.auth, self.keyring = repo, calendar, auth, keyring

    def _today(self):
        return datetime.now(SHANGHAI).date()

    @grpcutil.unary("approval")
    def Act(self, request, context):
        """One review step, applied under optimistic concurrency (never two reviewers on one case)."""
        actor = convert.actor_from_pb(request.actor)
        if not request.request.case_no:
            raise InvalidArgument("case_no is required")
        args = action_args(request.request)
        review = self.repo.mutate(request.request.case_no, lambda r: r.act(
            actor, request.action, args, self.auth, datetime.now(SHANGHAI)))
        return views.review_view(review, self.calendar, self._today())

    @grpcutil.unary("approval")
    def Worklist(self, request, context):
        """A department's reviews, earliest deadline first, with working days left."""
        actor, r = convert.actor_from_pb(request.actor), request.request
        if not r.department:
            raise InvalidArgument("department is required")
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
        review = self.repo.get(request.case_no)
        may_see_case(convert.actor_from_pb(request.actor), list(review.children))
        return views.review_view(review, self.calendar, self._today())

    @grpcutil.unary("approval")
    def ListHeld(self, request, context):
        """Cases nobody is responsible for, oldest first."""
        return bo.ListHeldResponse(cases=[views.held_case(d) for d in
                                          self.repo.held(request.include_dispatched, limit_of(request.limit))])

    @grpcutil.unary("approval")
    def DispatchHeld(self, request, context):
        """The supervision office sends a held case to the departments it names, once."""
        actor, r = convert.actor_from_pb(request.actor), request.request
        require_role(actor, "supervisor", "admin", action="sending a held case on")
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
        """Check a decision document by its verification code against its department's seal."""
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


class LicenceServicer(licences_pb2_grpc.LicenceLibraryServicer):
    """电子证照库: find a holder's licences, verify one by number."""

    def __init__(self, repo, keyring):
        self.repo, self.keyring = repo, keyring

    @grpcutil.unary("approval")
    def Find(self, request, context):
        """A holder's licences (valid ones unless include_inactive), optionally of one type."""
        if not request.holder_id.strip() or len(request.holder_id) > 40:
            raise InvalidArgument("holder_id (ID number or unified social credit code) is required")
        today = datetime.now(SHANGHAI).date()
        found = [views.licence_view(d, self.keyring, today) for d in self.repo.licences(request.holder_id.strip())]
        found = [lic for lic in found if (not request.licence_type or lic.licence_type == request.licence_type)
                 and (request.include_inactive or lic.status == "valid")]
        return licences_pb2.FindLicencesResponse(licences=found)

    @grpcutil.unary("approval")
    def Verify(self, request, context):
        """One licence with its seal checked: valid, expired, revoked or tampered."""
        doc = self.repo.licence(request.licence_number.strip()) if request.licence_number.strip() else None
        if doc is None:
            raise NotFound(f"no e-licence numbered {request.licence_number!r} was issued here")
        return views.licence_view(doc, self.keyring, datetime.now(SHANGHAI).date())
