"""A department's decision on its review: approve, approve with conditions, reject, or commit
(告知承诺), with the chief representative's sign-off where a reviewer's authority ends.

A reviewer approves on their own authority. A rejection or an approval with conditions is
beyond it: the reviewer proposes, the chief representative named in the reference data signs
(or sends it back with a note). The chief's own decision needs no further sign-off.
"""
from __future__ import annotations

from datetime import datetime

from .errors import InvalidArgument, StepOutOfOrder
from .identity import Actor
from .review import DECISIONS, DepartmentReview, text

RESULT = {"approve": "approved", "approve_with_conditions": "approved", "reject": "rejected",
          "commit": "committed"}
NEEDS_SIGNOFF = ("approve_with_conditions", "reject")


def proposal(outcome: str, reason: str, legal_basis: str, conditions: list[str], mode: str) -> dict:
    """A checked decision: what was decided and on what grounds."""
    if outcome not in DECISIONS:
        raise InvalidArgument(f"outcome must be one of {', '.join(DECISIONS)}")
    if outcome == "commit" and mode != "commitment":
        raise InvalidArgument("commit (告知承诺) is only for a joint case in commitment mode")
    conditions = [text(c, "a condition", 500) for c in conditions if c.strip()]
    if outcome == "approve_with_conditions" and not conditions:
        raise InvalidArgument("an approval with conditions lists its conditions")
    if outcome == "reject":
        if not (reason or "").strip() or not (legal_basis or "").strip():
            raise InvalidArgument("a rejection states its reason and its legal basis")
    return {"outcome": RESULT[outcome], "action": outcome, "conditions": conditions,
            "reason": text(reason, "reason", required=False),
            "legal_basis": text(legal_basis, "legal basis", 500, required=False)}


def decide(review: DepartmentReview, actor: Actor, chief: bool, outcome: str, reason: str,
           legal_basis: str, conditions: list[str], mode: str, now: datetime) -> dict | None:
    """Decide, or propose for sign-off; returns the final decision or None while it waits."""
    if review.status == "committed":
        if outcome != "approve":
            raise StepOutOfOrder(f"{review.department} has committed; it can now only confirm the "
                                 "approval, or the chief representative revokes the decision")
    else:
        review.require("pending", step="deciding")
    review.may_work(actor, chief)
    p = proposal(outcome, reason, legal_basis, conditions, mode)
    if outcome in NEEDS_SIGNOFF and not chief:
        review.proposal = {**p, "by": actor.staff_id, "at": now.isoformat()}
        review.status = "signoff"
        review.record("proposed", actor, now, **{k: v for k, v in p.items() if k != "action"})
        return None
    return _final(review, actor, p, now, signed_by=actor.staff_id if chief else "")


def sign_off(review: DepartmentReview, chief: Actor, approve: bool, note: str, now: datetime) -> dict | None:
    """The chief representative signs the proposed decision, or sends it back with a note."""
    review.require("signoff", step="signing off")
    p = review.proposal
    if not approve:
        note = text(note, "the note sending the proposal back")
        review.record("sent_back", chief, now, note=note, proposal=p)
        review.proposal, review.status = {}, "pending"
        return None
    review.proposal = {}
    review.record("signed_off", chief, now, note=note)
    return _final(review, chief, p, now, signed_by=chief.staff_id, decided_by=p["by"])


def _final(review: DepartmentReview, actor: Actor, p: dict, now: datetime, signed_by: str,
           decided_by: str = "") -> dict:
    result = {k: p[k] for k in ("outcome", "conditions", "reason", "legal_basis")}
    result.update(decided_by=decided_by or actor.staff_id, signed_by=signed_by, at=now.isoformat())
    review.status = p["outcome"]
    review.record("decided", actor, now, **{k: v for k, v in result.items() if k != "at"})
    return result
