"""统一出件: the result of a decided case, from its preparation until it is in the applicant's
hands — at an issuance position, at the street centre where it was applied for, or by EMS.

Where the result is: `forwarding` (travelling to the street centre with a hand-over record),
`ready` (in the pickup queue of `pickup_site`), `shipping` (with the courier), `issued`,
`archived` (never collected). Every change returns the events it causes; the notices it
decides are kept in `notices`, the new ones in `fresh` until the service has sent them.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from .clock import SHANGHAI, issuance_clock
from .errors import AlreadyDone, InvalidArgument, PermissionDenied, Refused, StepOutOfOrder
from .events import Event, new_event
from .identity import SYSTEM, Actor, require_role
from .notification import Notice, compose
from .proxy import mask
from .shipment import Carrier, Shipment

HALL = "LX00"
# the fields of a result that travel with it to a street centre's node
TRAVELLING = ("outcome", "applicant", "delivery", "documents", "decided_on", "issue_due", "address",
              "pickup_place", "proxies")
WRONG_CODES_ALLOWED = 5  # wrong pickup codes before pickup by code is locked


def _digest(case_no: str, code: str) -> str:
    return hashlib.sha256(f"{case_no}:{code}".encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def documents_for(decided: dict, licence_name: str, originals: list[dict]) -> list[str]:
    """What is handed over: the decision letter, the licence if granted, the originals to return."""
    docs = ["准予行政许可决定书" if decided["outcome"] == "approved" else "不予行政许可决定书"]
    if decided["outcome"] == "approved" and licence_name:
        docs.append(licence_name)
    docs += [f"退还原件：{m['name']} ×{m.get('count', 1)}" for m in originals]
    return docs


@dataclass
class Issuance:
    case_no: str
    site: str                    # where the application was made
    outcome: str
    applicant: dict
    delivery: str                # pickup | courier
    code_digest: str = ""
    status: str = "ready"
    pickup_site: str = HALL
    pickup_place: str = "历下区政务服务中心统一出件区"
    documents: list = field(default_factory=list)
    decided_on: str = ""
    issue_due: str = ""          # Art. 44: 10 working days from the decision
    address: str = ""
    ready_at: datetime | None = None
    reminded_at: datetime | None = None
    reminders: int = 0
    proxies: list = field(default_factory=list)
    shipment: dict | None = None
    past_shipments: list = field(default_factory=list)
    handover: dict | None = None
    issued: dict | None = None
    archived: dict | None = None
    notices: list = field(default_factory=list)
    history: list = field(default_factory=list)
    wrong_codes: int = 0         # wrong pickup codes since the code was issued or unlocked
    code_locked: dict | None = None  # pickup by code locked after WRONG_CODES_ALLOWED wrong ones
    rev: int = 0
    fresh: list = field(default_factory=list, repr=False)

    @classmethod
    def prepare(cls, decided: Event, now: datetime, calendar, documents: list[str], pickup_site: str,
                pickup_place: str, carrier: Carrier, code=new_code) -> tuple["Issuance", list[Event]]:
        """Prepare a decided case's result: ship it, forward it, or put it in the pickup queue."""
        d = decided.data
        decided_on = datetime.fromisoformat(decided.at).astimezone(SHANGHAI).date()
        issuance = cls(decided.case_no, decided.site, d["outcome"], dict(d.get("applicant") or {}),
                       d.get("delivery") or "pickup", pickup_site=pickup_site, pickup_place=pickup_place,
                       documents=list(documents), decided_on=decided_on.isoformat(),
                       issue_due=issuance_clock(decided_on).deadline(calendar).due_date.isoformat(),
                       address=d.get("address") or "")
        issuance._log(now, SYSTEM, "prepared", "、".join(documents))
        events = [issuance._event("result_ready", now, SYSTEM, {
            "outcome": issuance.outcome, "delivery": issuance.delivery, "documents": issuance.documents,
            "pickup_site": pickup_site, "issue_due": issuance.issue_due}, decided.id)]
        if issuance.delivery == "courier":
            try:
                return issuance, events + issuance._ship(SYSTEM, carrier, issuance.address, {}, now, decided.id)
            except InvalidArgument as exc:
                issuance.delivery = "pickup"
                issuance._log(now, SYSTEM, "ship", f"refused: {exc}")
                return issuance, events + issuance._enter_queue(now, "not_shippable", code, decided.id,
                                                                reason=str(exc))
        return issuance, events + issuance._enter_queue(now, "pickup_code", code, decided.id)

    # -- the pickup queue and the street centres ------------------------------------------
    def _enter_queue(self, now: datetime, kind: str, code, cause: str | None, **facts) -> list[Event]:
        """The result is back at the hall: wait there, or travel on to the pickup site."""
        if self.pickup_site != HALL:
            self.status = "forwarding"
            n = len([h for h in self.history if h["action"] == "forwarded"]) + 1
            self.handover = {"no": f"HO-{self.case_no}-{n}", "from": HALL, "to": self.pickup_site,
                             "sent_at": now.isoformat(), "received_at": "", "received_by": None,
                             "notice": {"kind": kind, "facts": facts}}
            self._log(now, SYSTEM, "forwarded", f"{self.handover['no']} → {self.pickup_site}")
            return [self._event("result_forwarded", now, SYSTEM, {
                "stage": "sent", "handover_no": self.handover["no"], "from": HALL,
                "to": self.pickup_site, "result": self._travelling()}, cause)]
        return self._queue_here(now, kind, code, **facts)

    def _travelling(self) -> dict:
        """What travels with a forwarded result: enough for the street centre's own node to
        receive it, hand it over and tell the applicant, with no call back to the district."""
        return {**{k: getattr(self, k) for k in TRAVELLING}, "handover": dict(self.handover)}

    @classmethod
    def arrived(cls, forwarded: Event, site: str, now: datetime) -> "Issuance | None":
        """At a street centre's node: the result the district forwarded to this site, on its
        way until the centre signs for it; None for anything else (another site's, a stage
        other than sent, an event of a district that sends no copy of the result)."""
        d = forwarded.data
        result = d.get("result")
        if d.get("stage") != "sent" or d.get("to") != site or not isinstance(result, dict):
            return None
        if any(k not in result for k in (*TRAVELLING, "handover")):
            raise InvalidArgument(f"forwarded result of {forwarded.case_no} lacks "
                                  f"{', '.join(k for k in TRAVELLING if k not in result)}")
        issuance = cls(forwarded.case_no, forwarded.site, status="forwarding", pickup_site=site,
                       **{k: result[k] for k in TRAVELLING})
        issuance.handover = dict(result["handover"])
        issuance._log(now, SYSTEM, "forwarded", f"{issuance.handover['no']} → {site}")
        return issuance

    def _queue_here(self, now: datetime, kind: str, code, **facts) -> list[Event]:
        plain = code()
        self.code_digest, self.status = _digest(self.case_no, plain), "ready"
        self.wrong_codes, self.code_locked = 0, None
        self.ready_at, self.reminded_at = now, None
        self._notify(now, kind, plain, place=self.pickup_place, due=self.issue_due, **facts)
        return []

    def receive_handover(self, actor: Actor, now: datetime, code=new_code) -> list[Event]:
        """The street centre signs for a forwarded result; the applicant gets a pickup code."""
        require_role(actor, "issuer", action="receiving a hand-over")
        if self.status != "forwarding":
            raise AlreadyDone(f"case {self.case_no} has no hand-over on its way (status {self.status})")
        if actor.site != self.handover["to"]:
            raise StepOutOfOrder(f"hand-over {self.handover['no']} goes to {self.handover['to']}, "
                                 f"not to your site {actor.site}")
        self.handover.update(received_at=now.isoformat(), received_by=actor.to_dict())
        self._log(now, actor, "received", self.handover["no"])
        pending = self.handover["notice"]
        self._queue_here(now, pending["kind"], code, **pending["facts"])
        return [self._event("result_forwarded", now, actor, {
            "stage": "received", "handover_no": self.handover["no"], "from": HALL,
            "to": self.pickup_site}, None)]

    def handed_over_at_centre(self, issued: Event, now: datetime) -> bool:
        """At the district: the street centre's node handed over a result forwarded there;
        the district's copy records it (no event: the node's result_issued is the event).
        False when there is nothing to record (the district's own hand-overs, a redelivery)."""
        if self.status != "forwarding" or issued.actor.get("site") != self.pickup_site:
            return False
        self.status = "issued"
        self.issued = {"at": issued.at, "via": issued.data.get("via", "window"), "by": dict(issued.actor),
                       "position": issued.data.get("position", ""), "receipt_no": issued.data.get("receipt_no", "")}
        self._log(now, None, "issued_at_centre", self.handover["no"], dict(issued.actor))
        return True
    # -- no guessing: a pickup code is tried at most WRONG_CODES_ALLOWED times -----------------
    def check_code(self, actor: Actor, code: str, now: datetime) -> bool:
        """Whether `code` is this result's pickup code. A wrong one is counted (and recorded);
        the WRONG_CODES_ALLOWED-th locks pickup by code and tells the applicant. Raises
        Refused while locked: only the issuer's identity check unlocks it."""
        if self.code_locked:
            raise Refused(f"取件码已锁定 (pickup by code for case {self.case_no} is locked after "
                          f"{WRONG_CODES_ALLOWED} wrong codes since {self.code_locked['at'][:16]}); the "
                          f"issuer checks the applicant's identity at the window and unlocks it")
        if self.code_matches(code):
            return True
        self.wrong_codes += 1
        self._log(now, actor, "wrong_code", f"{self.wrong_codes}/{WRONG_CODES_ALLOWED}")
        if self.wrong_codes >= WRONG_CODES_ALLOWED:
            self.code_locked = {"at": now.isoformat(), "by": actor.to_dict(), "attempts": self.wrong_codes}
            self._log(now, actor, "code_locked", f"after {self.wrong_codes} wrong codes")
            self._notify(now, "code_locked", "", attempts=self.wrong_codes, place=self.pickup_place)
        return False

    def unlock_code(self, actor: Actor, id_number: str, note: str, now: datetime, code=new_code) -> None:
        """The issuer has checked the applicant's identity document at the window: pickup by
        code opens again with a new code, sent to the applicant (the old one may be known)."""
        require_role(actor, "issuer", action="unlocking a pickup code")
        if actor.site != self.pickup_site:
            raise PermissionDenied(f"the result of case {self.case_no} is collected at "
                                   f"{self.pickup_site}, not at your site {actor.site}")
        if not self.code_locked:
            raise AlreadyDone(f"pickup by code for case {self.case_no} is not locked")
        given = id_number.strip().upper()
        if not given or given != str(self.applicant.get("id_number", "")).upper():
            raise PermissionDenied("the ID number does not match the applicant of this case; only the "
                                   "applicant's own identity document unlocks the pickup code")
        plain = code()
        self._log(now, actor, "code_unlocked", f"identity checked ({mask(given)}) {note}".strip())
        self.code_digest, self.wrong_codes, self.code_locked = _digest(self.case_no, plain), 0, None
        self._notify(now, "code_unlocked", plain, place=self.pickup_place)

    # -- courier ---------------------------------------------------------------------------
    def choose_courier(self, actor: Actor, carrier: Carrier, address: str, phone: str,
                       now: datetime) -> list[Event]:
        """Send a result waiting in the pickup queue by EMS instead (物流寄送 chosen later)."""
        require_role(actor, "issuer", "clerk", action="choosing courier delivery")
        self._must_be_waiting("sent by EMS")
        if self.status != "ready":
            raise StepOutOfOrder(f"the result of case {self.case_no} is still on its way to "
                                 f"{self.pickup_site}; choose EMS once it has arrived")
        return self._ship(actor, carrier, address, {"phone": phone} if phone else {}, now, None)

    def _ship(self, actor: Actor, carrier: Carrier, address: str, recipient: dict, now: datetime,
              cause: str | None) -> list[Event]:
        to = {"name": self.applicant.get("name", ""), "phone": self.applicant.get("phone", ""), **recipient}
        shipment = carrier.book(self.case_no, len(self.past_shipments) + 1, address, to)
        self.shipment, self.status, self.delivery, self.address = shipment.to_dict(), "shipping", "courier", shipment.address
        self._log(now, actor, "shipped", f"EMS {shipment.waybill} ¥{shipment.fee_fen / 100:.2f}")
        return [self._event("shipment_created", now, actor, {
            "carrier": "EMS", "waybill": shipment.waybill, "attempt": shipment.attempt,
            "address": shipment.address, "district": shipment.district, "zone": shipment.zone,
            "fee_fen": shipment.fee_fen, "recipient": shipment.recipient}, cause)]

    def follow_carrier(self, status: Event, now: datetime, code=new_code) -> list[Event]:
        """One status from the carrier: delivered issues the result, returned re-queues it."""
        d = status.data
        shipment = Shipment.from_dict(self.shipment)
        if shipment is None or d.get("waybill") != shipment.waybill:
            return []  # a status of an earlier, finished shipment
        if not shipment.apply(d.get("status", ""), d.get("at", status.at), d.get("location", ""),
                              d.get("note", ""), status.id):
            return []
        self.shipment = shipment.to_dict()
        carrier_actor = {"staff_id": "EMS", "role": "system", "site": "", "department": ""}
        self._log(now, None, f"carrier:{shipment.status}", d.get("location", ""), carrier_actor)
        events = [self._event("shipment_updated", now, carrier_actor, {
            "waybill": shipment.waybill, "status": shipment.status, "location": d.get("location", ""),
            "note": d.get("note", "")}, status.id)]
        if shipment.status == "picked_up":
            self._notify(now, "shipped", "", waybill=shipment.waybill)
        elif shipment.status == "delivered":
            self.status = "issued"
            self.issued = {"at": now.isoformat(), "via": "courier", "waybill": shipment.waybill,
                           "by": carrier_actor}
            events.append(self._event("result_issued", now, carrier_actor, {
                "outcome": self.outcome, "to": shipment.recipient["name"], "via": "courier",
                "waybill": shipment.waybill}, status.id))
        elif shipment.status == "returned":
            reason = d.get("note") or "无法投递"
            self.past_shipments.append(self.shipment)
            self.shipment, self.delivery = None, "pickup"
            events.append(self._event("result_returned", now, carrier_actor, {
                "waybill": shipment.waybill, "reason": reason, "pickup_site": self.pickup_site}, status.id))
            events += self._enter_queue(now, "returned", code, status.id, waybill=shipment.waybill, reason=reason)
        return events

    # -- helpers ---------------------------------------------------------------------------
    def _must_be_waiting(self, what: str) -> None:
        if self.status == "issued":
            raise AlreadyDone(f"the result of case {self.case_no} was already issued at "
                              f"{self.issued['at']}; it is issued once only")
        if self.status == "archived":
            raise StepOutOfOrder(f"the result of case {self.case_no} was archived on "
                                 f"{self.archived['at'][:10]} ({self.archived['archive_no']}); "
                                 f"it can no longer be {what}")
        if self.status == "shipping":
            raise StepOutOfOrder(f"the result of case {self.case_no} was sent by EMS "
                                 f"(waybill {self.shipment['waybill']}); it cannot be {what} now")

    def _event(self, type_: str, now: datetime, actor, data: dict, cause: str | None) -> Event:
        who = actor.to_dict() if isinstance(actor, Actor) else dict(actor)
        return new_event(type_, self.case_no, self.site, now, who, data, caused_by=cause)

    def _notify(self, now: datetime, kind: str, code: str, **facts) -> Notice:
        notice = compose(self.case_no, len(self.notices) + 1, kind, self.applicant.get("phone", ""),
                         now, code, **facts)
        self.notices.append(notice.to_dict())
        self.fresh.append(notice)
        return notice

    def _log(self, now: datetime, actor: Actor | None, action: str, note: str = "", who: dict | None = None):
        self.history.append({"at": now.isoformat(), "actor": who or actor.to_dict(),
                             "action": action, "note": note})

    def code_matches(self, code: str) -> bool:
        return bool(self.code_digest) and hmac.compare_digest(_digest(self.case_no, code), self.code_digest)

    def days_left(self, calendar, today: date) -> int:
        return issuance_clock(date.fromisoformat(self.decided_on)).days_left(calendar, today)

    def to_doc(self) -> dict:
        doc = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "fresh"}
        doc["_id"] = doc.pop("case_no")
        return doc

    @classmethod
    def from_doc(cls, doc: dict) -> "Issuance":
        fields = {k: doc[k] for k in cls.__dataclass_fields__ if k in doc and k not in ("case_no", "fresh")}
        return cls(case_no=doc["_id"], **fields)
