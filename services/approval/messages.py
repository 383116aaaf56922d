"""Approval's proto ↔ domain mapping: the requests' values checked and taken apart, and the
views of reviews, worklist lines, held cases, decision checks and e-licences."""
from __future__ import annotations

import json

from hall.domain import licence as licences
from hall.domain.approval_store import Licensed
from hall.domain.errors import InvalidArgument
from hall.domain.joint import CaseReview
from hall.infra.convert import deadline_to_pb
from hall.v1 import backoffice_pb2 as bo, common_pb2, gateway_pb2, licences_pb2

QUEUES = ("backoffice", "professional")


# -- requests -------------------------------------------------------------------------------

def limit(n: int) -> int:
    """A list's length: 50 unless asked, at most 500."""
    n = n or 50
    if not 0 < n <= 500:
        raise InvalidArgument("limit must be between 1 and 500")
    return n


def case_no(text: str) -> str:
    if not text or len(text) > 40:
        raise InvalidArgument("case_no is required")
    return text


def queue(text: str) -> str:
    if text and text not in QUEUES:
        raise InvalidArgument("queue is backoffice or professional")
    return text


def holder_id(text: str) -> str:
    if not text.strip() or len(text) > 40:
        raise InvalidArgument("holder_id (ID number or unified social credit code) is required")
    return text.strip()


def step_args(r: bo.ReviewActionRequest) -> dict:
    """A review step's values, as hall.domain.joint.CaseReview.act takes them."""
    return {"department": r.department, "outcome": r.outcome, "reason": r.reason,
            "legal_basis": r.legal_basis, "conditions": list(r.conditions),
            "materials": [{"name": m.name, "problem": m.problem} for m in r.materials],
            "deadline_days": r.deadline_days, "kind": r.kind, "expected_days": r.expected_days,
            "note": r.note, "assignee": r.assignee, "approve": r.approve, "mode": r.mode,
            "approved_by": r.approved_by}


def decision_args(r: gateway_pb2.RecordDecisionRequest) -> dict:
    return {"department": r.department, "outcome": r.outcome, "reason": r.reason,
            "legal_basis": r.legal_basis}


# -- views ----------------------------------------------------------------------------------

def _step(h: dict) -> bo.ReviewStep:
    by = h.get("by", {})
    detail = {k: v for k, v in h.items() if k not in ("action", "at", "by")}
    return bo.ReviewStep(action=h["action"], at=h["at"], detail_json=json.dumps(detail, ensure_ascii=False),
                         by=common_pb2.Actor(staff_id=by.get("staff_id", ""), role=by.get("role", ""),
                                             site=by.get("site", ""), department=by.get("department", "")))


def review(rv: CaseReview, deadlines) -> bo.ReviewView:
    """A case's review with its deadlines (hall.domain.desk.deadlines)."""
    item = rv.routed.get("item") or {}
    children = []
    for d, c in rv.children.items():
        dec = c.decision.get("confirmed") or c.decision
        children.append(bo.DepartmentReviewView(
            department=d, child_no=c.child_no, queue=c.queue, status=c.status, claimed_by=c.claimed_by,
            promised=deadline_to_pb(deadlines.reviews[d].to_dict()),
            extension=c.extension.get("status", ""), outcome=dec.get("outcome", ""),
            reason=dec.get("reason", ""), legal_basis=dec.get("legal_basis", ""),
            conditions=dec.get("conditions", []), verification_code=c.decision.get("code", ""),
            signed_by=dec.get("signed_by", ""), history=[_step(h) for h in c.history]))
    reasons = [f"{d}：{c.decision['reason']}（{c.decision['legal_basis']}）"
               for d, c in rv.children.items() if c.decision.get("outcome") == "rejected"]
    return bo.ReviewView(
        case_no=rv.case_no, site=rv.site, item_code=item.get("code", ""), item_name=item.get("name", ""),
        mode=rv.mode, outcome=rv.outcome, departments=children, legal=deadline_to_pb(deadlines.legal.to_dict()),
        verification_code=rv.decision.get("code", ""),
        licence_number=rv.licence.get("licence_number", ""), revoked=bool(rv.revocation),
        revoked_reason=rv.revocation.get("reason", ""), reasons=reasons)


def work_item(line: dict) -> bo.WorkItem:
    return bo.WorkItem(**line)


def worklist_entry(line: dict) -> common_pb2.WorklistEntry:
    """A worklist line as the gateway's ListWorklist shows it."""
    return common_pb2.WorklistEntry(
        case_no=line["case_no"], item_code=line["item_code"], item_name=line["item_name"],
        department=line["department"], status=line["status"], promised_due=line["due_date"],
        days_left=line["days_left"], applicant_name=line["applicant_name"])


def decision_recorded(rv: CaseReview, department: str, at) -> gateway_pb2.RecordDecisionResponse:
    return gateway_pb2.RecordDecisionResponse(
        case_no=rv.case_no, department=department, outcome=rv.children[department].status,
        decided_at=at.isoformat(), case_decided=bool(rv.outcome))


def held_case(doc: dict) -> bo.HeldCase:
    e, dispatch = doc["event"], doc.get("dispatch") or {}
    item = e["data"].get("item") or {}
    return bo.HeldCase(case_no=doc["_id"], site=e["site"], item_code=item.get("code", ""),
                       item_name=item.get("name", ""), reason=e["data"].get("reason", ""), held_at=e["at"],
                       dispatched=doc["dispatched"], departments=dispatch.get("departments", []),
                       dispatched_by=dispatch.get("by", ""), dispatched_at=dispatch.get("at", ""))


def verification(v) -> bo.VerifyDecisionResponse:
    """A decision document's check (services.approval.handlers.Verification)."""
    sealed, rv = v.sealed, v.review
    return bo.VerifyDecisionResponse(
        valid=v.status == "valid", status=v.status, message=v.message, case_no=rv.case_no,
        department=sealed["key_id"].rsplit("-v", 1)[0], document_json=sealed["document_json"],
        signature=sealed["signature"], key_id=sealed["key_id"], public_key=v.public_key,
        revoked_reason=rv.revocation.get("reason", ""))


def licence(found: Licensed, status: str) -> licences_pb2.Licence:
    lic = found.licence
    return licences_pb2.Licence(
        **{k: lic.get(k, "") for k in licences.FIELDS}, status=status, signature=lic.get("signature", ""),
        seal_key_id=lic.get("key_id", ""), public_key=lic.get("public_key", ""),
        document_json=lic.get("document_json", ""), revoked_reason=found.revocation.get("reason", ""))
