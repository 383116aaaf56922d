"""督办: supervision notices. A warning a case reaches (due soon, last day, overdue, a late step)
raises one notice to the responsible department's chief representative (首席代表); a notice
still unacknowledged after a configured time is escalated to the hall's supervision office.
Every notice and every change of it is recorded with actor and time, and announced as an event.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .errors import AlreadyDone, InvalidArgument
from .events import Event, new_event
from . import identity
from .identity import SYSTEM, Actor

SUPERVISION_OFFICE = "区政务服务中心督查室"
WATCH_LABELS = {"handover": "材料交接", "review": "部门审查", "decision": "承诺时限办结",
                "legal": "法定时限办结", "issuance": "出件（决定后10个工作日内）"}
LEVEL_LABELS = {"due_soon": "即将到期", "last_day": "今日到期", "overdue": "已超期"}
STATUSES = ("open", "escalated", "acknowledged")


def chiefs_of(catalogue) -> dict:
    """Department code -> its chief representative (首席代表) in the catalogue version given:
    whom a department's notices go to."""
    return {code: {"staff_id": d.chief.staff_id, "name": d.chief.name}
            for code, d in catalogue.departments.items()}


def notice_id(case_no: str, watch: dict, level: str) -> str:
    """One notice per case, watch, level and due date: a rescan never raises it twice."""
    return f"{case_no}/{watch['key']}/{level}/{watch['due_date']}"


def raise_notice(record: dict, watch: dict, level: str, chief: dict, now: datetime,
                 escalate_after: timedelta) -> tuple[dict, Event]:
    """The notice for a warning, addressed to the department's chief, and `supervision_raised`."""
    nid = notice_id(record["case_no"], watch, level)
    label = WATCH_LABELS[watch["key"].split(":")[0]]
    text = (f"【督办】{record['item_name']}（办件 {record['case_no']}）{label}"
            f"{LEVEL_LABELS[level]}，时限 {watch['due_date']}，请 {chief.get('name', '首席代表')} 督促办理。")
    notice = {"_id": nid, "case_no": record["case_no"], "site": record["site"],
              "department": watch["department"], "watch": watch["key"], "level": level,
              "due_date": watch["due_date"], "item_code": record["item_code"],
              "to": {"staff_id": chief.get("staff_id", ""), "name": chief.get("name", ""),
                     "role": "chief"},
              "text": text, "raised_at": now, "status": "open",
              "escalate_at": now + escalate_after, "escalated_at": None, "acknowledged": None}
    event = new_event("supervision_raised", record["case_no"], record["site"], now, SYSTEM.to_dict(),
                      {"notice_id": nid, "department": notice["department"], "watch": watch["key"],
                       "level": level, "due_date": watch["due_date"], "to": notice["to"], "text": text},
                      caused_by=nid)
    return notice, event


def escalate(notice: dict, now: datetime) -> tuple[dict, Event]:
    """Send an open notice on to the supervision office; returns the changes and the event."""
    if notice["status"] != "open":
        raise AlreadyDone(f"notice {notice['_id']} is {notice['status']}, not open")
    changes = {"status": "escalated", "escalated_at": now, "escalate_at": None,
               "escalated_to": SUPERVISION_OFFICE}
    event = new_event("supervision_escalated", notice["case_no"], notice["site"], now,
                      SYSTEM.to_dict(), {"notice_id": notice["_id"], "department": notice["department"],
                                         "watch": notice["watch"], "level": notice["level"],
                                         "to": SUPERVISION_OFFICE, "raised_at": _iso(notice["raised_at"])},
                      caused_by=notice["_id"])
    return changes, event


def acknowledge(notice: dict, actor: Actor, note: str, now: datetime) -> dict:
    """The chief representative (or the supervision office) acknowledges a notice, with a note."""
    identity.may_acknowledge_notice(actor, notice["department"])
    note = (note or "").strip()
    if not note:
        raise InvalidArgument("say what is being done about the case (note is required)")
    if len(note) > 1000:
        raise InvalidArgument("the note is at most 1000 characters")
    if notice["status"] == "acknowledged":
        by = notice["acknowledged"]["by"]["staff_id"]
        raise AlreadyDone(f"notice {notice['_id']} was already acknowledged by {by}")
    return {"status": "acknowledged", "escalate_at": None,
            "acknowledged": {"by": actor.to_dict(), "at": now, "note": note}}


def _iso(v) -> str:
    return v.isoformat() if hasattr(v, "isoformat") else str(v or "")
