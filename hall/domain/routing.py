"""按责转办: send each accepted case to the department(s) responsible for its item.

The responsibility comes from the item as it stood in the catalogue version the case was
accepted under (carried in the event), so a later catalogue change never re-routes a case.
Departments of the professional windows (区公安分局, 区烟草分局) take their cases in their own
queue. A case nobody is responsible for is held (`case_held`) until the supervision office
sends it to departments (`case_dispatched`), so it is never lost.
"""
from __future__ import annotations

from datetime import datetime

from .errors import InvalidArgument
from .events import Event, new_event
from .identity import SYSTEM

CARRIED = ("item", "applicant", "delivery", "address", "promised_due", "legal_due",
           "accepted_on", "catalogue_version", "joint_mode", "materials")
PROFESSIONAL_SECTOR = "专业综合"


def professional_departments(catalogue) -> frozenset:
    """Departments of the professional windows (专业综合) in a catalogue version."""
    return frozenset(d.code for d in catalogue.departments.values() if d.sector == PROFESSIONAL_SECTOR)


def queues(departments: list[str], professional: set[str]) -> dict:
    return {d: "professional" if d in professional else "backoffice" for d in departments}


def route(accepted: Event, now: datetime, professional: set[str] = frozenset()) -> Event:
    """The `case_routed` event for an accepted case, or `case_held` when nobody is responsible."""
    item = accepted.data.get("item") or {}
    departments = [d for d in item.get("departments", []) if isinstance(d, str) and d]
    carried = {k: accepted.data.get(k) for k in CARRIED if accepted.data.get(k) is not None}
    if not departments:
        return new_event("case_held", accepted.case_no, accepted.site, now, SYSTEM.to_dict(),
                         {**carried, "reason": "no responsible department for this item"},
                         caused_by=accepted.id)
    return new_event("case_routed", accepted.case_no, accepted.site, now, SYSTEM.to_dict(),
                     {**carried, "departments": departments, "lead": departments[0],
                      "queues": queues(departments, professional)},
                     caused_by=accepted.id)


def dispatch_held(held: dict, dispatched: Event, professional: set[str] = frozenset()) -> Event:
    """The `case_routed` event for a held case the supervisor sent to departments."""
    departments = list(dispatched.data.get("departments") or [])
    if not departments:
        raise InvalidArgument("a dispatch names at least one department")
    carried = {k: v for k, v in held["data"].items() if k in CARRIED}
    return new_event("case_routed", held["case_no"], held["site"], datetime.fromisoformat(dispatched.at),
                     dispatched.actor, {**carried, "departments": departments, "lead": departments[0],
                                        "queues": queues(departments, professional),
                                        "dispatched_by": dispatched.actor.get("staff_id", ""),
                                        "held_reason": held["data"].get("reason", "")},
                     caused_by=dispatched.id)
