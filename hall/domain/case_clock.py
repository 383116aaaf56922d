"""A case's clocks as the SLA service follows them (跟踪督办): the promised and the legal clock,
the per-step budgets, pauses (补正, Art. 45 procedures) and extensions, the joint rule (45 + 15).

The facts come from the case's events in whatever order they arrived (sorted by the time they
happened), so a recomputation is always right; the deadlines themselves come from
hall.domain.deadlines.case_deadlines, the one place intake and approval use too. Pure: no I/O;
the SLA stores the result per case.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from .clock import ISSUANCE_LIMIT, SHANGHAI, SPECIAL_PROCEDURE, SUPPLEMENT, Clock, Pause
from .deadlines import CaseDeadlines, Due, Extension, case_deadlines, is_joint

LEVELS = ("on_track", "due_soon", "last_day", "overdue")
RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Policy:
    """What the hall configures: when a clock is due soon, the step budgets, which levels warn."""
    due_soon_fraction: float = 2 / 3
    handover_days: int = 1     # 材料交接: the case reaches its department within this
    decision_days: int = 1     # the departments' review ends this many days before the promise
    issuance_days: int = ISSUANCE_LIMIT  # Art. 44
    case_levels: tuple = ("due_soon", "last_day", "overdue")  # the promised clock
    legal_levels: tuple = ("last_day", "overdue")
    step_levels: tuple = ("overdue",)  # hand-over, review, issuance: a late step shows early


def day_of(at: str) -> date:
    """The Shanghai calendar day of an event time."""
    return datetime.fromisoformat(at).astimezone(SHANGHAI).date()


@dataclass
class CaseFacts:
    """What the events of one case say, in the order things happened."""
    case_no: str
    site: str
    accepted_on: date
    accepted: dict                      # the case_accepted event's data
    staff: str
    departments: list = field(default_factory=list)
    routed_on: date | None = None
    decisions: dict = field(default_factory=dict)   # department -> date decided
    decided_on: date | None = None
    outcome: str = ""
    issued_on: date | None = None
    pauses: list = field(default_factory=list)      # dicts: kind, department, started_on, ended_on, note
    extensions: list = field(default_factory=list)  # dicts: department, days, reason, approved_by, on
    supplements: int = 0
    visits: int = 0

    @property
    def item(self) -> dict:
        return self.accepted.get("item", {})

    @property
    def joint(self) -> bool:
        return is_joint(self.item, self.departments)

    @property
    def lead(self) -> str:
        return self.departments[0] if self.departments else ""


ORDER = {"case_accepted": 0, "case_routed": 1, "supplement_requested": 2, "procedure_started": 2,
         "supplement_submitted": 3, "procedure_ended": 3, "extension_granted": 3, "decision_made": 4,
         "case_decided": 5, "result_ready": 6, "result_issued": 7}


def facts(events: list[dict]) -> CaseFacts | None:
    """The facts of a case from its events; None until its acceptance has been seen."""
    events = sorted((e for e in events if e["type"] in ORDER),
                    key=lambda e: (datetime.fromisoformat(e["at"]), ORDER[e["type"]]))
    accepted = next((e for e in events if e["type"] == "case_accepted"), None)
    if accepted is None:
        return None
    d = accepted["data"]
    f = CaseFacts(accepted["case_no"], accepted["site"], date.fromisoformat(d["accepted_on"]), d,
                  accepted.get("actor", {}).get("staff_id", ""),
                  list(d.get("item", {}).get("departments", [])),
                  visits=0 if d.get("channel") == "online" else 1)
    for e in events:
        _apply(f, e["type"], e.get("data", {}), day_of(e["at"]), e.get("actor", {}))
    return f


def _apply(f: CaseFacts, type_: str, d: dict, on: date, actor: dict) -> None:
    dept = d.get("department") or f.lead
    if type_ == "case_routed":
        f.routed_on = f.routed_on or on
        f.departments = list(d.get("departments") or f.departments)
    elif type_ in ("supplement_requested", "procedure_started"):
        kind = SUPPLEMENT if type_ == "supplement_requested" else SPECIAL_PROCEDURE
        f.supplements += kind == SUPPLEMENT
        f.pauses.append({"kind": kind, "department": dept, "started_on": on, "ended_on": None,
                         "note": d.get("reason") or d.get("kind", ""),
                         "expected_days": d.get("expected_days") or d.get("deadline_days")})
    elif type_ in ("supplement_submitted", "procedure_ended"):
        kind = SUPPLEMENT if type_ == "supplement_submitted" else SPECIAL_PROCEDURE
        f.visits += kind == SUPPLEMENT  # the applicant brought the materials to a window
        for p in f.pauses:
            if p["kind"] == kind and p["department"] == dept and p["ended_on"] is None \
                    and (kind == SUPPLEMENT or not d.get("kind") or d["kind"] == p["note"]):
                p["ended_on"] = max(on, p["started_on"])
                break
    elif type_ == "extension_granted":
        f.extensions.append({"department": dept, "days": max(int(d.get("days", 0)), 0),
                             "reason": d.get("reason") or d.get("note", ""),
                             "approved_by": d.get("approved_by", ""), "scope": d.get("scope", ""),
                             "on": on})
    elif type_ == "decision_made":
        f.decisions.setdefault(dept, on)
    elif type_ == "case_decided":
        f.decided_on, f.outcome = f.decided_on or on, d.get("outcome", "")
    elif type_ == "result_issued":
        f.issued_on = f.issued_on or on


@dataclass(frozen=True)
class Watch:
    """One clock the SLA watches: a step budget or a whole-case limit."""
    key: str
    department: str
    due: Due
    done_on: date | None
    levels: tuple

    @property
    def clock(self) -> Clock:
        return self.due.clock


def deadlines_of(f: CaseFacts, policy: Policy, cal, today: date) -> CaseDeadlines:
    """The case's deadlines from its facts, by the one deadline function."""
    pauses: dict[str, list[Pause]] = {}
    for p in f.pauses:
        pauses.setdefault(p["department"], []).append(Pause(p["started_on"], p["ended_on"], p["kind"]))
    extensions = [Extension(x["department"], x["days"], x["scope"] == "joint") for x in f.extensions]
    return case_deadlines(f.item, f.accepted_on, cal, today, departments=f.departments, pauses=pauses,
                          extensions=extensions, decided_on=f.decided_on,
                          handover_days=policy.handover_days, review_margin=policy.decision_days,
                          issuance_days=policy.issuance_days)


def watches(f: CaseFacts, policy: Policy, cal, today: date,
            deadlines: CaseDeadlines | None = None) -> list[Watch]:
    """The steps and limits of a case: hand-over, each department's review, decision (the
    promised deadline), legal, issuance."""
    dl = deadlines or deadlines_of(f, policy, cal, today)
    out = [Watch("handover", f.lead, dl.handover, f.routed_on, policy.step_levels)]
    out += [Watch(f"review:{d}", d, due, f.decisions.get(d), policy.step_levels)
            for d, due in dl.reviews.items()]
    out += [Watch("decision", f.lead, dl.promised, f.decided_on, policy.case_levels),
            Watch("legal", f.lead, dl.legal, f.decided_on, policy.legal_levels)]
    if dl.issuance:
        out.append(Watch("issuance", f.lead, dl.issuance, f.issued_on, policy.step_levels))
    return out


def thresholds(clock: Clock, cal, fraction: float) -> dict[str, date]:
    """The first day of each warning level of a clock with no open pause."""
    due = clock.deadline(cal).due_date
    # the same Fraction rule as Clock.status, so the two always agree
    k = math.ceil(Fraction(fraction).limit_denominator(1000) * clock.total_days)
    soon = Clock(k, clock.accepted_on, clock.pauses).deadline(cal).due_date
    return {"due_soon": soon, "last_day": due, "overdue": due + timedelta(days=1)}


def view(w: Watch, cal, today: date, policy: Policy) -> dict:
    """A watch as of `today` (the `today` its watches were computed for): due date, status (a
    level, paused, done or late), thresholds."""
    deadline = w.due.deadline
    done_early = w.done_on is not None and w.done_on < today  # the count stopped when it was done
    v = {"key": w.key, "department": w.department, "limit_days": w.clock.limit_days,
         "extension_days": w.clock.extension_days, "due_date": deadline.due_date.isoformat(),
         "estimated": deadline.estimated, "paused": deadline.paused, "levels": list(w.levels),
         "done_on": w.done_on and w.done_on.isoformat(), "thresholds": {},
         "days_left": w.clock.days_left(cal, w.done_on) if done_early else w.due.days_left}
    if w.done_on:
        v["status"] = "done" if w.done_on <= deadline.due_date else "late"
    elif deadline.paused:
        v["status"] = "paused"
    else:
        th = thresholds(w.clock, cal, policy.due_soon_fraction)
        v["thresholds"] = {k: d.isoformat() for k, d in th.items()}
        v["status"] = max((lv for lv, d in th.items() if d <= today), key=RANK.get, default="on_track")
    return v
