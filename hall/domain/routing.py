"""按责转办: send each accepted case to the department(s) responsible for its item.

The responsibility comes from the item as it stood in the catalogue version the case was
accepted under (carried in the event), so a later catalogue change never re-routes a case.
"""
from __future__ import annotations

from datetime import datetime

from .events import Event, new_event
from .identity import SYSTEM

CARRIED = ("item", "applicant", "delivery", "address", "promised_due", "legal_due",
           "accepted_on", "catalogue_version")


def route(accepted: Event, now: datetime) -> Event:
    """The `case_routed` event for an accepted case, or `case_held` when nobody is responsible."""
    item = accepted.data.get("item") or {}
    departments = [d for d in item.get("departments", []) if isinstance(d, str) and d]
    carried = {k: accepted.data.get(k) for k in CARRIED}
    if not departments:
        return new_event("case_held", accepted.case_no, accepted.site, now, SYSTEM.to_dict(),
                         {**carried, "reason": "no responsible department for this item"},
                         caused_by=accepted.id)
    return new_event("case_routed", accepted.case_no, accepted.site, now, SYSTEM.to_dict(),
                     {**carried, "departments": departments, "lead": departments[0]},
                     caused_by=accepted.id)
