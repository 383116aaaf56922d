"""跟踪督办: a case's timeline as the SLA service follows it, and the view built from it.

Events reach the SLA service on separate queues and may arrive in any order; the status is
the furthest step seen, and the history is sorted by the time each step happened.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from string import Formatter
from typing import Mapping

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


@dataclass(frozen=True)
class Wording:
    """How the history words one event type: a template over the event's data fields (a field
    missing from the data reads as its default, or empty)."""
    template: str
    defaults: Mapping[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """The data fields (and derived fields, DERIVED) the line quotes."""
        return tuple(name for _, name, _, _ in Formatter().parse(self.template) if name)

    def line(self, data: dict) -> str:
        values = {**self.defaults, **{k: v for k, v in data.items() if v is not None}}
        values.update((name, DERIVED[name](data)) for name in self.fields if name in DERIVED)
        return self.template.format_map(defaultdict(str, values)).strip()


DERIVED = {  # fields some lines quote that the data holds in another form
    "item_name": lambda d: d.get("item", {}).get("name", ""),
    "department_list": lambda d: "、".join(d.get("departments", [])),
    "by_courier": lambda d: "（EMS 投递）" if d.get("via") == "courier" else "",
    "handed": lambda d: "已送往" if d.get("stage") == "sent" else "已签收于",
    "notice_text": lambda d: d.get("text") or f"督办：{d.get('watch')} {d.get('level')}",
    "verdict": lambda d: "按承诺时限办结" if d.get("on_time_promised") else "超出承诺时限",
}

WORDING = {  # event type -> the line a clerk reads in the case's history
    "case_accepted": Wording("受理 {item_name}，承诺办结 {promised_due}"),
    "case_routed": Wording("按责转办至 {department_list}"),
    "case_held": Wording("暂存待分办：{reason}"),
    "decision_made": Wording("{department} 审批：{outcome} {reason}"),
    "case_decided": Wording("办结：{outcome}"),
    "result_ready": Wording("出件准备就绪（{delivery}）"),
    "result_issued": Wording("已出件给 {to}{by_courier}"),
    "result_forwarded": Wording("出件交接 {handover_no}：{handed} {to}"),
    "shipment_created": Wording("EMS 寄送，运单号 {waybill}"),
    "shipment_updated": Wording("EMS {waybill}：{status} {location}"),
    "result_returned": Wording("EMS 退回（{reason}），转窗口领取"),
    "reminder_sent": Wording("第 {n} 次提醒领取"),
    "result_archived": Wording("逾期未领取，转存档案 {archive_no}"),
    "supplement_requested": Wording("{department} 要求补正：{reason}（计时暂停）"),
    "supplement_submitted": Wording("申请人已补正材料（{department}），恢复计时"),
    "procedure_started": Wording("{department} 启动{kind}，预计 {expected_days} 天，不计入时限",
                                 {"kind": "特别程序"}),
    "procedure_ended": Wording("{department} {kind}结束，恢复计时", {"kind": "特别程序"}),
    "extension_granted": Wording("{department} 延长办理期限 {days} 个工作日：{reason}"),
    "supervision_raised": Wording("{notice_text}"),
    "supervision_escalated": Wording("督办升级至{to}", {"to": "督查室"}),
    "case_closed": Wording("结案：{verdict}"),
}


def summary(e: dict) -> str:
    """A line a clerk can read (WORDING); an event type it does not know reads as itself."""
    wording = WORDING.get(e["type"])
    return wording.line(e.get("data", {})) if wording else e["type"]


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
