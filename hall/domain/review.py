"""限时办结: a case under review by its responsible department(s) and their decisions.

Each responsible department records one decision. When all have decided, the case is
decided: approved only if every department approved, otherwise rejected with every reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field, asdict
from datetime import datetime

from .errors import AlreadyDone, InvalidArgument, PermissionDenied
from .events import Event, new_event
from .identity import Actor, may_act_for

OUTCOMES = {"approve": "approved", "reject": "rejected"}


@dataclass
class Review:
    case_no: str
    site: str
    routed: dict                 # the case_routed event's data
    departments: dict            # code -> {"status": pending|approved|rejected, ...}
    outcome: str = ""
    rev: int = 0
    history: list = field(default_factory=list)

    @classmethod
    def from_routed(cls, event: Event) -> "Review":
        return cls(event.case_no, event.site, dict(event.data),
                   {d: {"status": "pending"} for d in event.data["departments"]})

    @property
    def decided(self) -> bool:
        return bool(self.outcome)

    def decide(self, actor: Actor, department: str, outcome: str, reason: str,
               legal_basis: str, now: datetime) -> list[Event]:
        """Record one department's decision; returns decision_made and, if last, case_decided."""
        may_act_for(actor, department, "deciding")
        if department not in self.departments:
            raise PermissionDenied(f"case {self.case_no} is not routed to department {department}")
        if outcome not in OUTCOMES:
            raise InvalidArgument("outcome must be approve or reject")
        if outcome == "reject" and (not reason.strip() or not legal_basis.strip()):
            raise InvalidArgument("a rejection states its reason and its legal basis")
        if len(reason) > 2000 or len(legal_basis) > 500:
            raise InvalidArgument("reason is at most 2000 and legal basis at most 500 characters")
        if self.departments[department]["status"] != "pending":
            raise AlreadyDone(f"department {department} has already decided case {self.case_no}")
        result = OUTCOMES[outcome]
        self.departments[department] = {"status": result, "by": actor.to_dict(),
                                        "at": now.isoformat(), "reason": reason,
                                        "legal_basis": legal_basis}
        carried = {k: self.routed.get(k) for k in ("item", "applicant", "delivery", "address")}
        events = [new_event("decision_made", self.case_no, self.site, now, actor.to_dict(),
                            {"department": department, "outcome": result, "reason": reason,
                             "legal_basis": legal_basis})]
        if all(d["status"] != "pending" for d in self.departments.values()):
            rejected = {c: d for c, d in self.departments.items() if d["status"] == "rejected"}
            self.outcome = "rejected" if rejected else "approved"
            events.append(new_event(
                "case_decided", self.case_no, self.site, now, actor.to_dict(),
                {**carried, "outcome": self.outcome,
                 "reasons": [{"department": c, "reason": d["reason"],
                              "legal_basis": d["legal_basis"]} for c, d in rejected.items()]}))
        return events

    def to_doc(self) -> dict:
        doc = asdict(self)
        doc["_id"] = doc.pop("case_no")
        doc["pending"] = [c for c, d in self.departments.items() if d["status"] == "pending"]
        return doc

    @classmethod
    def from_doc(cls, doc: dict) -> "Review":
        return cls(doc["_id"], doc["site"], doc["routed"], doc["departments"], doc["outcome"],
                   doc["rev"], doc.get("history", []))
