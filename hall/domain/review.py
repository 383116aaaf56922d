"""限时办结: one department's review of a case (a child of the case review, see joint.py).

A review moves: pending → (supplement | procedure) → pending → [signoff] → approved / rejected,
or committed (告知承诺) first. Each step is a method that checks the order, records who did it
and when, and returns the events it causes. A decision, once made, changes only by revocation.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from .clock import SHANGHAI, SPECIAL_PROCEDURE, SUPPLEMENT, ORDINARY_EXTENSION, Pause
from .errors import AlreadyDone, InvalidArgument, PermissionDenied, StepOutOfOrder
from .identity import Actor

FINAL = ("approved", "rejected", "revoked")
OPEN = ("pending", "supplement", "procedure", "signoff", "committed")
DECISIONS = ("approve", "approve_with_conditions", "reject", "commit")


def text(value: str, what: str, limit: int = 2000, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidArgument(f"{what} is required")
    if len(value) > limit:
        raise InvalidArgument(f"{what} is at most {limit} characters")
    return value


@dataclass
class DepartmentReview:
    """One responsible department's review (a child case: `child_no` = case number + department)."""
    department: str
    child_no: str
    queue: str = "backoffice"          # backoffice, or professional for GAFJ / YCFJ windows
    status: str = "pending"
    claimed_by: str = ""
    pauses: list = field(default_factory=list)       # {kind, started_on, ended_on, note, procedure}
    extension: dict = field(default_factory=dict)    # {status: requested|granted|refused, ...}
    proposal: dict = field(default_factory=dict)     # a decision awaiting the chief's sign-off
    decision: dict = field(default_factory=dict)     # the signed decision, never changed
    revocation: dict = field(default_factory=dict)
    history: list = field(default_factory=list)

    # -- recording -------------------------------------------------------------------------
    def record(self, action: str, actor: Actor, now: datetime, **detail) -> None:
        self.history.append({"action": action, "by": actor.to_dict(), "at": now.isoformat(),
                             **{k: v for k, v in detail.items() if v not in (None, "", [], {})}})

    def require(self, *statuses: str, step: str) -> None:
        if self.status in statuses:
            return
        if self.status in FINAL:
            raise AlreadyDone(f"{self.department} has already decided ({self.status}); {step} is no longer possible")
        raise StepOutOfOrder(f"{step} is not possible while the review of {self.department} is {self.status}")

    def may_work(self, actor: Actor, chief: bool) -> None:
        """The claimant, or anyone of the department while unclaimed, or the chief, may act."""
        if self.claimed_by and self.claimed_by != actor.staff_id and not chief:
            raise PermissionDenied(f"case {self.child_no} is claimed by {self.claimed_by}; "
                                   "ask them to release it or the chief representative to reassign it")
        if not self.claimed_by and actor.role == "reviewer":
            self.claimed_by = actor.staff_id

    # -- claims ----------------------------------------------------------------------------
    def claim(self, actor: Actor, now: datetime) -> None:
        self.require(*OPEN, step="claiming")
        if self.claimed_by == actor.staff_id:
            raise AlreadyDone(f"you have already claimed {self.child_no}")
        if self.claimed_by:
            raise StepOutOfOrder(f"{self.child_no} is already claimed by {self.claimed_by}")
        self.claimed_by = actor.staff_id
        self.record("claimed", actor, now)

    def release(self, actor: Actor, chief: bool, now: datetime) -> None:
        if not self.claimed_by:
            raise StepOutOfOrder(f"{self.child_no} is not claimed by anyone")
        if self.claimed_by != actor.staff_id and not chief:
            raise PermissionDenied(f"{self.child_no} is claimed by {self.claimed_by}, not by you")
        self.record("released", actor, now, was=self.claimed_by)
        self.claimed_by = ""

    def assign(self, actor: Actor, assignee: str, now: datetime) -> None:
        self.require(*OPEN, step="assigning")
        assignee = text(assignee, "the assignee's staff id", 64)
        self.record("assigned", actor, now, to=assignee, was=self.claimed_by)
        self.claimed_by = assignee

    # -- clock -----------------------------------------------------------------------------
    def open_pause(self, kind: str, today: date, **detail) -> None:
        self.pauses.append({"kind": kind, "started_on": today.isoformat(), "ended_on": None, **detail})

    def close_pause(self, today: date) -> dict:
        pause = next(p for p in reversed(self.pauses) if p["ended_on"] is None)
        pause["ended_on"] = max(today, date.fromisoformat(pause["started_on"])).isoformat()
        return pause

    def clock_pauses(self) -> tuple[Pause, ...]:
        """This department's pauses, for hall.domain.deadlines (via desk.deadlines)."""
        return tuple(Pause(date.fromisoformat(p["started_on"]),
                           date.fromisoformat(p["ended_on"]) if p["ended_on"] else None, p["kind"])
                     for p in self.pauses)

    @property
    def extension_days(self) -> int:
        return self.extension.get("days", 0) if self.extension.get("status") == "granted" else 0

    # -- supplement and special procedures -------------------------------------------------
    def request_supplement(self, actor: Actor, reason: str, materials: list[dict], now: datetime) -> dict:
        self.require("pending", step="asking for a supplement (补正)")
        reason = text(reason, "the reason for the supplement")
        if not materials:
            raise InvalidArgument("name at least one material to correct and what is wrong with it")
        clean = [{"name": text(m.get("name", ""), "a material's name", 200),
                  "problem": text(m.get("problem", ""), f"the problem with {m.get('name', 'a material')}", 500)}
                 for m in materials]
        self.status = "supplement"
        self.open_pause(SUPPLEMENT, now.astimezone(SHANGHAI).date(), note=reason)
        self.record("supplement_requested", actor, now, reason=reason, materials=clean)
        return {"department": self.department, "reason": reason, "materials": clean}

    def supplement_arrived(self, actor: Actor, materials: list, now: datetime, event_id: str) -> bool:
        """The applicant's corrected materials came in at a window; False if none was awaited
        or this very event was already taken into account."""
        if self.status != "supplement" or any(h.get("event_id") == event_id for h in self.history):
            return False
        self.close_pause(now.astimezone(SHANGHAI).date())
        self.status = "pending"
        self.record("supplement_submitted", actor, now, materials=materials, event_id=event_id)
        return True

    def start_procedure(self, actor: Actor, kind: str, expected_days: int, note: str,
                        allowed: tuple[str, ...], now: datetime) -> dict:
        self.require("pending", step="starting a special procedure")
        if kind not in allowed:
            raise InvalidArgument(f"special procedure must be one of {'、'.join(allowed)}")
        if not 0 < expected_days <= 250:
            raise InvalidArgument("expected_days (told to the applicant in writing) must be 1 to 250")
        note = text(note, "the written notice to the applicant", required=True)
        self.status = "procedure"
        self.open_pause(SPECIAL_PROCEDURE, now.astimezone(SHANGHAI).date(), note=note, procedure=kind)
        self.record("procedure_started", actor, now, kind=kind, expected_days=expected_days, note=note)
        return {"department": self.department, "kind": kind, "expected_days": expected_days, "note": note}

    def end_procedure(self, actor: Actor, now: datetime) -> dict:
        self.require("procedure", step="ending a special procedure")
        pause = self.close_pause(now.astimezone(SHANGHAI).date())
        self.status = "pending"
        self.record("procedure_ended", actor, now, kind=pause["procedure"])
        return {"department": self.department, "kind": pause["procedure"]}

    # -- extension (Art. 42: +10 working days with the chief representative's approval) ----
    def request_extension(self, actor: Actor, reason: str, now: datetime) -> None:
        self.require("pending", "supplement", "procedure", "signoff", step="asking for an extension")
        if self.extension.get("status") in ("requested", "granted"):
            raise AlreadyDone(f"an extension of {self.child_no} was already {self.extension['status']}")
        reason = text(reason, "the reason for the extension (it is told to the applicant)")
        self.extension = {"status": "requested", "reason": reason, "by": actor.staff_id, "at": now.isoformat()}
        self.record("extension_requested", actor, now, reason=reason)

    def decide_extension(self, chief: Actor, approve: bool, note: str, now: datetime) -> dict | None:
        if self.extension.get("status") != "requested":
            raise StepOutOfOrder(f"no extension of {self.child_no} is waiting for approval")
        if approve:
            self.extension.update(status="granted", days=ORDINARY_EXTENSION, approved_by=chief.staff_id)
            self.record("extension_granted", chief, now, days=ORDINARY_EXTENSION, note=note)
            return {"department": self.department, "days": ORDINARY_EXTENSION,
                    "reason": self.extension["reason"], "approved_by": chief.staff_id}
        self.extension.update(status="refused", refused_by=chief.staff_id,
                              note=text(note, "the reason for refusing the extension"))
        self.record("extension_refused", chief, now, note=note)
        return None

    def to_dict(self) -> dict:
        return asdict(self)
