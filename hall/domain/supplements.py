"""补正 at the front desk: a department's `supplement_requested` puts the case on the front
desk's waiting list; the applicant brings the corrected materials to a window and the clerk's
submission publishes `supplement_submitted`, so the review resumes and the clock's pause ends."""
from __future__ import annotations

from datetime import datetime

from .acceptance import check_materials
from .errors import AlreadyDone, InvalidArgument, NotFound
from .events import Event, new_event
from .identity import Actor, require_role


def waiting(event: Event) -> dict:
    """The waiting record of one request, keyed by the request's event id (redelivery-safe)."""
    d = event.data
    return {"_id": event.id, "case_no": event.case_no, "site": event.site,
            "department": d.get("department", ""), "reason": d.get("reason", ""),
            "materials": [{"name": m.get("name", ""), "problem": m.get("problem", "")}
                          for m in d.get("materials", []) if isinstance(m, dict)],
            "deadline_days": int(d.get("deadline_days") or 0), "requested_at": event.at,
            "requested_by": dict(event.actor), "status": "waiting", "out": []}


def check_supplement(materials: list[dict]) -> None:
    """A supplement lists at least one corrected material, each well formed."""
    if not materials:
        raise InvalidArgument("list the corrected materials the applicant brought")
    check_materials(materials)


def pick_waiting(recs: list[dict], case_no: str, department: str = "") -> dict:
    """The one request of a case still waiting for the applicant (that department's, if named)."""
    waiting = [x for x in recs if x["status"] == "waiting" and (not department or x["department"] == department)]
    if not waiting:
        if recs:
            raise AlreadyDone(f"case {case_no} is not waiting for a supplement"
                              f"{' from ' + department if department else ''}")
        raise NotFound(f"no supplement was requested for case {case_no!r}")
    if len(waiting) > 1:
        raise InvalidArgument(f"several departments wait ({'、'.join(x['department'] for x in waiting)}); name one")
    return waiting[0]


def submit(rec: dict, actor: Actor, materials: list[dict], key: str, now: datetime) -> Event:
    """The `supplement_submitted` event; its id derives from the request, so it happens once.
    Any site's clerk may receive it (多点办理: the applicant goes to the nearest centre)."""
    require_role(actor, "clerk", action="receiving supplementary materials")
    if rec["status"] != "waiting":
        raise AlreadyDone(f"the supplement for {rec['case_no']} ({rec['department']}) was "
                          f"already received at {rec.get('submitted_at', '')}")
    check_supplement(materials)
    data = {"department": rec["department"], "materials": [dict(m) for m in materials],
            "idempotency_key": key}
    return new_event("supplement_submitted", rec["case_no"], rec["site"], now, actor.to_dict(),
                     data, caused_by=rec["_id"])
