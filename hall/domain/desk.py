"""The back office's desk: stored form of a case review, its clocks, worklist lines, the
applicant's supplement arriving from the front desk, and the check of a sealed decision."""
from __future__ import annotations

from datetime import date, datetime

from .clock import SHANGHAI
from .deadlines import CaseDeadlines, Extension, case_deadlines
from .errors import InvalidArgument
from .events import Event
from .identity import Actor
from .joint import CaseReview
from .review import FINAL, DepartmentReview
from .seal import verify


def accepted_on(review: CaseReview) -> date:
    return date.fromisoformat(review.routed["accepted_on"])


def deadlines(review: CaseReview, calendar, today: date) -> CaseDeadlines:
    """The case's deadlines by the one deadline function: each department's budget (`reviews`:
    the promised limit, its own pauses, the case's extension and its own), the legal limit
    (the item's, or 45 (+15) for a joint case; every department's pauses stop it)."""
    extensions = [Extension(d, c.extension_days) for d, c in review.children.items() if c.extension_days]
    if review.joint_extension:
        extensions.append(Extension(review.lead, int(review.joint_extension.get("days", 0)), joint=True))
    return case_deadlines(review.routed.get("item") or {}, accepted_on(review), calendar, today,
                          departments=list(review.children),
                          pauses={d: c.clock_pauses() for d, c in review.children.items()},
                          extensions=extensions)


def due_dates(review: CaseReview, calendar, today: date) -> dict[str, date]:
    """Each department's due date: the order its worklist is kept in."""
    return {d: due.due_date for d, due in deadlines(review, calendar, today).reviews.items()}


def to_doc(review: CaseReview, due: dict[str, date]) -> dict:
    """The stored document, with the fields the worklists and look-ups are indexed by."""
    children = {d: c.to_dict() for d, c in review.children.items()}
    codes = [c.decision["code"] for c in review.children.values() if c.decision.get("code")]
    codes += [c.decision["confirmed"]["code"] for c in review.children.values() if c.decision.get("confirmed")]
    if review.decision.get("code"):
        codes.append(review.decision["code"])
    return {"_id": review.case_no, "site": review.site, "routed": review.routed, "mode": review.mode,
            "children": children, "outcome": review.outcome, "decision": review.decision,
            "licence": review.licence, "revocation": review.revocation,
            "joint_extension": review.joint_extension, "rev": review.rev,
            "pending": [d for d, c in review.children.items() if c.status not in FINAL],
            "due": {d: day.isoformat() for d, day in due.items()},
            "codes": sorted(set(codes))}


def from_doc(doc: dict) -> CaseReview:
    children = {d: DepartmentReview(**c) for d, c in doc["children"].items()}
    return CaseReview(doc["_id"], doc["site"], doc["routed"], doc["mode"], children, doc["outcome"],
                      doc["decision"], doc["licence"], doc["revocation"], doc["joint_extension"], doc["rev"])


def worklist_line(review: CaseReview, department: str, calendar, today: date) -> dict:
    """One line of a department's worklist: the deadline and the working days left."""
    child = review.children[department]
    due = deadlines(review, calendar, today).reviews[department]
    item, applicant = review.routed.get("item") or {}, review.routed.get("applicant") or {}
    return {"case_no": review.case_no, "child_no": child.child_no, "department": department,
            "queue": child.queue, "status": child.status, "claimed_by": child.claimed_by,
            "item_code": item.get("code", ""), "item_name": item.get("name", ""),
            "applicant_name": applicant.get("name", ""), "mode": review.mode,
            "due_date": due.due_date.isoformat(), "days_left": due.days_left,
            "paused": due.paused, "extension": child.extension.get("status", ""),
            "limit_days": due.limit_days}


def supplement_submitted(review: CaseReview, event: Event) -> bool:
    """The applicant's corrected materials arrived (intake's event): resume the review(s) waiting
    for them and end the pause. False when no review was waiting (a repeat or a stray event)."""
    department = (event.data or {}).get("department")
    targets = [review.children[department]] if department in review.children else \
        [c for c in review.children.values() if c.status == "supplement"]
    try:
        actor = Actor.from_dict(event.actor)
    except InvalidArgument:  # the front desk's clerk as the event names them, or the system
        actor = Actor("system", "system", event.site)
    now = datetime.fromisoformat(event.at).astimezone(SHANGHAI)
    changed = [c.supplement_arrived(actor, list(event.data.get("materials", [])), now, event.id)
               for c in targets]
    return any(changed)



def sealed_records(review: CaseReview) -> list[dict]:
    """Every sealed decision document of the case: each department's (and its confirmation of a
    commitment) and the whole case's."""
    out = [review.decision] if review.decision.get("code") else []
    for c in review.children.values():
        out += [d for d in (c.decision, c.decision.get("confirmed") or {}) if d.get("code")]
    return out


VERDICTS = {"tampered": "签章校验失败：文书内容与审批专用章签名不符",
            "revoked": "文书真实，但该决定已撤销：{reason}",
            "valid": "文书真实有效"}


def verdict(review: CaseReview, document_json: str, signature: str, public_key: str) -> tuple[str, str]:
    """A decision document checked against its department's seal on record: (status, message);
    status is valid, revoked or tampered."""
    status = "tampered" if not verify(document_json, signature, public_key) else \
        "revoked" if review.revocation else "valid"
    return status, VERDICTS[status].format(reason=review.revocation.get("reason", ""))
