"""统一出件: the result of a decided case, waiting at the issuance window until handed over."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from .errors import AlreadyDone, InvalidArgument, PermissionDenied
from .events import Event, new_event
from .identity import SYSTEM, Actor, require_role


def _digest(case_no: str, code: str) -> str:
    return hashlib.sha256(f"{case_no}:{code}".encode()).hexdigest()


@dataclass
class Issuance:
    case_no: str
    site: str
    outcome: str
    applicant: dict
    delivery: str
    code_digest: str
    status: str = "ready"        # ready -> issued
    issued: dict | None = None
    rev: int = 0

    @classmethod
    def prepare(cls, decided: Event, now: datetime, code: str | None = None) -> tuple["Issuance", Event, str]:
        """Prepare the result of a decided case; returns it, `result_ready`, and the pickup code."""
        code = code or f"{secrets.randbelow(10**6):06d}"
        d = decided.data
        issuance = cls(decided.case_no, decided.site, d["outcome"], dict(d.get("applicant") or {}),
                       d.get("delivery") or "pickup", _digest(decided.case_no, code))
        event = new_event("result_ready", decided.case_no, decided.site, now, SYSTEM.to_dict(),
                          {"outcome": d["outcome"], "delivery": issuance.delivery,
                           "documents": ["许可决定书" if d["outcome"] == "approved" else "不予许可决定书"]},
                          caused_by=decided.id)
        return issuance, event, code

    def pick_up(self, actor: Actor, code: str, id_number: str, now: datetime) -> Event:
        """Hand the result over after checking the pickup code and the applicant's identity."""
        require_role(actor, "issuer", action="issuing a result")
        if self.status == "issued":
            raise AlreadyDone(f"the result of case {self.case_no} was already issued at "
                              f"{self.issued['at']}; it is issued once only")
        if not code or not id_number:
            raise InvalidArgument("the pickup code and the applicant's ID number are both required")
        if not hmac.compare_digest(_digest(self.case_no, code), self.code_digest):
            raise PermissionDenied("the pickup code does not match this case")
        if id_number.upper() != str(self.applicant.get("id_number", "")).upper():
            raise PermissionDenied("the ID number does not match the applicant of this case")
        self.status = "issued"
        self.issued = {"at": now.isoformat(), "by": actor.to_dict()}
        return new_event("result_issued", self.case_no, self.site, now, actor.to_dict(),
                         {"outcome": self.outcome, "to": self.applicant.get("name", "")})
