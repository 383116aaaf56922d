"""跟踪督办: a case's timeline as the SLA service follows it, and the view built from it.

Events reach the SLA service on separate queues and may arrive in any order; the status is
the furthest step seen, and the history is sorted by the time each step happened.
"""
from __future__ import annotations

from datetime import date, datetime

from . import case_clock
from .clock import SHANGHAI
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
        return f"已出件给 {d.get('to', '')}" + ("（EMS 投递）" if d.get("via") == "courier" else "")
    if t == "result_forwarded":
        return f"出件交接 {d.get('handover_no', '')}：{'已送往' if d.get('stage') == 'sent' else '已签收于'} {d.get('to', '')}"
    if t == "shipment_created":
        return f"EMS 寄送，运单号 {d.get('waybill', '')}"
    if t == "shipment_updated":
        return f"EMS {d.get('waybill', '')}：{d.get('status', '')} {d.get('location', '')}".strip()
    if t == "result_returned":
        return f"EMS 退回（{d.get('reason', '')}），转窗口领取"
    if t == "reminder_sent":
        return f"第 {d.get('n')} 次提醒领取"
    if t == "result_archived":
        return f"逾期未领取，转存档案 {d.get('archive_no', '')}"
    if t == "supplement_requested":
        return f"{d.get('department', '')} 要求补正：{d.get('reason', '')}（计时暂停）"
    if t == "supplement_submitted":
        return f"申请人已补正材料（{d.get('department', '')}），恢复计时"
    if t == "procedure_started":
        return f"{d.get('department', '')} 启动{d.get('kind', '特别程序')}，预计 {d.get('expected_days', '')} 天，不计入时限"
    if t == "procedure_ended":
        return f"{d.get('department', '')} {d.get('kind', '特别程序')}结束，恢复计时"
    if t == "extension_granted":
        return f"{d.get('department', '')} 延长办理期限 {d.get('days')} 个工作日：{d.get('reason', '')}"
    if t == "supervision_raised":
        return d.get("text") or f"督办：{d.get('watch')} {d.get('level')}"
    if t == "supervision_escalated":
        return f"督办升级至{d.get('to', '督查室')}"
    if t == "case_closed":
        return "结案：" + ("按承诺时限办结" if d.get("on_time_promised") else "超出承诺时限")
    return t


def status_of(events: list[dict]) -> str:
    ranked = [STEP[e["type"]] for e in events if e["type"] in STEP]
    return max(ranked)[1] if ranked else "unknown"


def deadline_view(w: dict) -> dict:
    """A watched clock (hall.domain.case_clock.view) as the case view shows it: the limit in
    force (with extensions), the due date after pauses, working days left."""
    return {"limit_days": w["limit_days"] + w["extension_days"], "due_date": w["due_date"],
            "days_left": w["days_left"], "estimated": w["estimated"], "paused": w["paused"]}


def clocks(events: list[dict], calendar, today: date, policy: case_clock.Policy | None = None) -> dict:
    """The case's watched clocks by key (decision = promised, legal, steps) as of `today`."""
    f = case_clock.facts(events)
    if f is None:
        return {}
    policy = policy or case_clock.Policy()
    return {w.key: case_clock.view(w, calendar, today, policy)
            for w in case_clock.watches(f, policy, calendar, today)}


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
                        delivery=d.get("delivery", "pickup"))
        elif e["type"] == "case_routed":
            view["departments"] = d.get("departments", [])
        elif e["type"] == "case_decided":
            view["outcome"] = d.get("outcome", "")
    watched = clocks(events, calendar, today)
    if watched:
        view.update(promised=deadline_view(watched["decision"]), legal=deadline_view(watched["legal"]))
    return view


def close(issued: Event, events: list[dict], calendar) -> Event:
    """The SLA service's verdict when a result is issued: `case_closed`, on time or not, with
    pauses and extensions taken into account."""
    data = {"outcome": issued.data.get("outcome", "")}
    f = case_clock.facts(events)
    if f is not None and f.decided_on:
        watched = clocks(events, calendar, f.decided_on)
        for key, name in (("decision", "promised"), ("legal", "legal")):
            data[f"on_time_{name}"] = f.decided_on <= date.fromisoformat(watched[key]["due_date"])
        data["working_days_used"] = watched["decision"]["limit_days"] + watched["decision"]["extension_days"] \
            - watched["decision"]["days_left"]
    return new_event("case_closed", issued.case_no, issued.site, datetime.fromisoformat(issued.at),
                     SYSTEM.to_dict(), data, caused_by=issued.id)
