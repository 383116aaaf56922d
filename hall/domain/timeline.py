"""跟踪督办: a case's timeline as the SLA service follows it, and the view built from it.

Events reach the SLA service on separate queues and may arrive in any order; the status is
the furthest step seen, and the history is sorted by the time each step happened.
"""
from __future__ import annotations

from datetime import date, datetime

from .clock import Clock, SHANGHAI
from .events import Event, new_event
from .identity import SYSTEM

STEP = {  # event type -> (rank, status after it)
    "case_accepted": (1, "accepted"),
    "case_held": (2, "held"),
    "case_routed": (2, "routed"),
    "decision_made": (3, "under_review"),
    "case_decided": (4, "decided"),
    "result_ready": (5, "ready"),
    "result_issued": (6, "issued"),
    "case_closed": (7, "closed"),
}


def summary(e: dict) -> str:
    """A line a clerk can read."""
    d, t = e.get("data", {}), e["type"]
    if t == "case_accepted":
        return f"受理 {d.get('item', {}).get('name', '')}，承诺办结 {d.get('promised_due')}"
    if t == "case_routed":
        return f"按责转办至 {'、'.join(d.get('departments', []))}"
    if t == "case_held":
        return f"暂存待分办：{d.get('reason', '')}"
    if t == "decision_made":
        return f"{d.get('department')} 审批：{d.get('outcome')} {d.get('reason', '')}".strip()
    if t == "case_decided":
        return f"办结：{d.get('outcome')}"
    if t == "result_ready":
        return f"出件准备就绪（{d.get('delivery')}）"
    if t == "result_issued":
        return f"已出件给 {d.get('to', '')}"
    if t == "case_closed":
        return "结案：" + ("按承诺时限办结" if d.get("on_time_promised") else "超出承诺时限")
    return t


def status_of(events: list[dict]) -> str:
    ranked = [STEP[e["type"]] for e in events if e["type"] in STEP]
    return max(ranked)[1] if ranked else "unknown"


def deadline_view(limit: int, accepted_on: str, calendar, today: date) -> dict:
    clock = Clock(limit, date.fromisoformat(accepted_on))
    due = clock.deadline(calendar, today)
    return {"limit_days": limit, "due_date": due.due_date.isoformat(),
            "days_left": clock.days_left(calendar, today), "estimated": due.estimated,
            "paused": due.paused}


def build_view(events: list[dict], calendar, now: datetime) -> dict:
    """Status, departments, deadlines, outcome and sorted history of one case."""
    events = sorted(events, key=lambda e: (datetime.fromisoformat(e["at"]), STEP.get(e["type"], (9,))[0]))
    view = {"status": status_of(events), "history": events, "departments": [], "outcome": ""}
    today = now.astimezone(SHANGHAI).date()
    for e in events:
        d = e.get("data", {})
        if e["type"] == "case_accepted":
            item = d.get("item", {})
            view.update(item_code=item.get("code", ""), item_name=item.get("name", ""),
                        applicant=d.get("applicant", {}), accepted_at=e["at"],
                        catalogue_version=d.get("catalogue_version", ""),
                        delivery=d.get("delivery", "pickup"),
                        promised=deadline_view(item.get("promised_limit", 0), d["accepted_on"], calendar, today),
                        legal=deadline_view(item.get("legal_limit", 0), d["accepted_on"], calendar, today))
        elif e["type"] == "case_routed":
            view["departments"] = d.get("departments", [])
        elif e["type"] == "case_decided":
            view["outcome"] = d.get("outcome", "")
    return view


def close(issued: Event, accepted: dict | None, decided_at: str | None, calendar) -> Event:
    """The SLA service's verdict when a result is issued: `case_closed`, on time or not."""
    data = {"outcome": issued.data.get("outcome", "")}
    if accepted and decided_at:
        d = accepted["data"]
        decided_on = datetime.fromisoformat(decided_at).astimezone(SHANGHAI).date()
        for key, limit in (("promised", d["item"]["promised_limit"]), ("legal", d["item"]["legal_limit"])):
            due = Clock(limit, date.fromisoformat(d["accepted_on"])).deadline(calendar).due_date
            data[f"on_time_{key}"] = decided_on <= due
        data["working_days_used"] = Clock(0, date.fromisoformat(d["accepted_on"])).used_days(calendar, decided_on)
    return new_event("case_closed", issued.case_no, issued.site, datetime.fromisoformat(issued.at),
                     SYSTEM.to_dict(), data, caused_by=issued.id)
