"""Approval's protobuf views of reviews, worklist lines, held cases and licences; and the
authority (chiefs, licence types, seals) it builds from the reference data."""
from __future__ import annotations

import json
from datetime import date

from hall.catalogue import load_catalogue
from hall.catalogue.model import SPECIAL_PROCEDURES
from hall.domain import desk, licence as licences
from hall.domain.joint import Authority, CaseReview
from hall.v1 import backoffice_pb2 as bo, common_pb2, licences_pb2


def authority(reference_dir, keyring) -> Authority:
    cat = load_catalogue(reference_dir)
    return Authority(
        chiefs={d.code: d.chief.staff_id for d in cat.departments.values()},
        licence_types={t.code: {"code": t.code, "name": t.name, "department": t.department,
                                "trust_level": t.trust_level, "validity_years": t.validity_years}
                       for t in cat.licence_types.values()},
        procedures=SPECIAL_PROCEDURES, signer=keyring.sign)


def _deadline(due) -> common_pb2.Deadline:
    """A hall.domain.deadlines.Due as the review view shows it."""
    return common_pb2.Deadline(**due.to_dict())


def _step(h: dict) -> bo.ReviewStep:
    by = h.get("by", {})
    detail = {k: v for k, v in h.items() if k not in ("action", "at", "by")}
    return bo.ReviewStep(action=h["action"], at=h["at"], detail_json=json.dumps(detail, ensure_ascii=False),
                         by=common_pb2.Actor(staff_id=by.get("staff_id", ""), role=by.get("role", ""),
                                             site=by.get("site", ""), department=by.get("department", "")))


def review_view(review: CaseReview, calendar, today: date) -> bo.ReviewView:
    item = review.routed.get("item") or {}
    dl = desk.deadlines(review, calendar, today)
    children = []
    for d, c in review.children.items():
        dec = c.decision.get("confirmed") or c.decision
        children.append(bo.DepartmentReviewView(
            department=d, child_no=c.child_no, queue=c.queue, status=c.status, claimed_by=c.claimed_by,
            promised=_deadline(dl.reviews[d]),
            extension=c.extension.get("status", ""), outcome=dec.get("outcome", ""),
            reason=dec.get("reason", ""), legal_basis=dec.get("legal_basis", ""),
            conditions=dec.get("conditions", []), verification_code=c.decision.get("code", ""),
            signed_by=dec.get("signed_by", ""), history=[_step(h) for h in c.history]))
    reasons = [f"{d}：{c.decision['reason']}（{c.decision['legal_basis']}）"
               for d, c in review.children.items() if c.decision.get("outcome") == "rejected"]
    return bo.ReviewView(
        case_no=review.case_no, site=review.site, item_code=item.get("code", ""), item_name=item.get("name", ""),
        mode=review.mode, outcome=review.outcome, departments=children,
        legal=_deadline(dl.legal),
        verification_code=review.decision.get("code", ""),
        licence_number=review.licence.get("licence_number", ""), revoked=bool(review.revocation),
        revoked_reason=review.revocation.get("reason", ""), reasons=reasons)


def work_item(line: dict) -> bo.WorkItem:
    return bo.WorkItem(**line)


def held_case(doc: dict) -> bo.HeldCase:
    e, dispatch = doc["event"], doc.get("dispatch") or {}
    item = e["data"].get("item") or {}
    return bo.HeldCase(case_no=doc["_id"], site=e["site"], item_code=item.get("code", ""),
                       item_name=item.get("name", ""), reason=e["data"].get("reason", ""), held_at=e["at"],
                       dispatched=doc["dispatched"], departments=dispatch.get("departments", []),
                       dispatched_by=dispatch.get("by", ""), dispatched_at=dispatch.get("at", ""))


def licence_view(doc: dict, keyring, today: date) -> licences_pb2.Licence:
    lic = doc["licence"]
    status = licences.status(lic, bool(doc.get("revocation")), keyring.public_key(lic.get("key_id", "")), today)
    return licences_pb2.Licence(
        **{k: lic.get(k, "") for k in licences.FIELDS}, status=status, signature=lic.get("signature", ""),
        seal_key_id=lic.get("key_id", ""), public_key=lic.get("public_key", ""),
        document_json=lic.get("document_json", ""), revoked_reason=(doc.get("revocation") or {}).get("reason", ""))
