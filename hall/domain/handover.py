"""材料交接签收: the paper of an accepted case goes from the front desk to the department
with a hand-over record the department signs on receipt, within a time limit."""
from __future__ import annotations

from datetime import datetime, time

from .clock import SHANGHAI
from .errors import NotFound, AlreadyDone, PermissionDenied
from .identity import Actor, may_sign_handover, no_such_case, require_role

LIMIT_WORKING_DAYS = 1  # by the end of the next working day


def make(department: str, site: str, actor: Actor, now: datetime, paper: list[dict],
         calendar) -> dict | None:
    """The hand-over of the paper received; None when everything came electronically."""
    if not paper:
        return None
    due_day = calendar.add_working_days(now.astimezone(SHANGHAI).date(), LIMIT_WORKING_DAYS)
    return {"department": department, "site": site, "handed_by": actor.to_dict(),
            "handed_at": now.isoformat(), "materials": [dict(p) for p in paper],
            "pieces": sum(p["count"] for p in paper),
            "due_at": datetime.combine(due_day, time(23, 59, 59), SHANGHAI).isoformat(),
            "signed_by": None, "signed_at": ""}


def check_sign(handover: dict | None, case_no: str, actor: Actor, departments=()) -> None:
    """Only the receiving department signs, and once; `departments` are the case's."""
    if handover is None:
        require_role(actor, "reviewer", "chief", action="signing a hand-over")
        if departments and actor.department not in departments:
            raise NotFound(no_such_case(case_no))
        raise PermissionDenied(f"case {case_no} has no paper hand-over")
    may_sign_handover(actor, handover["department"], case_no, departments)
    if handover["signed_at"]:
        raise AlreadyDone(f"the hand-over of {case_no} was signed by "
                          f"{handover['signed_by']['staff_id']} at {handover['signed_at']}")


def overdue(handover: dict, as_of: datetime) -> bool:
    """Unsigned past its time limit."""
    return not handover["signed_at"] and as_of > datetime.fromisoformat(handover["due_at"])
