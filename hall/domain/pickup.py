"""取件: handing a result over at an issuance position, once, to the applicant or their proxy,
against the pickup code, with a signed receipt (签收单)."""
from __future__ import annotations

import re
from datetime import datetime

from .errors import InvalidArgument, PermissionDenied, StepOutOfOrder
from .events import Event
from .identity import Actor, require_role
from .issuance import WRONG_CODES_ALLOWED, Issuance
from .proxy import find_proxy, mask, record_proxy

PAPER = "paper"  # the applicant signed the printed receipt instead of the signature pad


class WrongCode(PermissionDenied):
    """The pickup code does not match; the attempt was counted on `issuance`, which the
    caller stores before answering (a wrong code that is not stored could be tried again)."""

    def __init__(self, issuance: Issuance):
        left = WRONG_CODES_ALLOWED - issuance.wrong_codes
        super().__init__("取件码不正确 (the pickup code does not match this case); " + (
            f"{left} more wrong code(s) lock pickup by code" if left > 0 else
            "pickup by code is now locked: the issuer checks the applicant's identity at the window"))
        self.issuance = issuance


def add_proxy(issuance: Issuance, actor: Actor, name: str, id_number: str, letter: str,
              valid_until: str, now: datetime) -> dict:
    """Record an authorization to collect this case's result (授权委托书)."""
    if issuance.status in ("issued", "archived"):
        issuance._must_be_waiting("collected by a proxy")
    auth = record_proxy(actor, issuance.applicant, name, id_number, letter, valid_until, now).to_dict()
    issuance.proxies = [p for p in issuance.proxies if p["id_number"] != auth["id_number"]] + [auth]
    issuance._log(now, actor, "proxy_recorded", f"{auth['name']} {mask(auth['id_number'])} ({auth['letter']})")
    return auth


def collect(issuance: Issuance, actor: Actor, code: str, id_number: str, position: str,
            signature: str, now: datetime, positions: tuple[str, ...]) -> Event:
    """Hand the result over after checking where, who, the code and the signature."""
    require_role(actor, "issuer", action="issuing a result")
    issuance._must_be_waiting("collected")
    if issuance.status == "forwarding":
        raise StepOutOfOrder(f"the result of case {issuance.case_no} is on its way to "
                             f"{issuance.pickup_site} ({issuance.handover['no']}) and not yet received there")
    if actor.site != issuance.pickup_site:
        raise PermissionDenied(f"the result of case {issuance.case_no} is collected at "
                               f"{issuance.pickup_site}, not at your site {actor.site}")
    if signature != PAPER and position not in positions:
        raise InvalidArgument(f"position {position!r} is not an issuance position of {actor.site} "
                              f"({', '.join(positions)})")
    if not code or not id_number:
        raise InvalidArgument("the pickup code and the ID number of the person collecting are both required")
    if not issuance.check_code(actor, code, now):
        raise WrongCode(issuance)
    if not (signature == PAPER or re.fullmatch(r"[0-9a-f]{64}", signature or "")):
        raise InvalidArgument("the receipt must be signed: no signature was captured")
    id_number = id_number.strip().upper()
    proxy = None
    if id_number != str(issuance.applicant.get("id_number", "")).upper():
        proxy = find_proxy(issuance.proxies, id_number, now.date())
        if proxy is None:
            raise PermissionDenied("the ID number matches neither the applicant of this case nor a "
                                   "recorded proxy authorization (授权委托书); a proxy's letter is "
                                   "recorded before the pickup")
    recipient = {"name": proxy.name if proxy else issuance.applicant.get("name", ""),
                 "id_number": mask(id_number), "as": "proxy" if proxy else "applicant",
                 "letter": proxy.letter if proxy else ""}
    issuance.status = "issued"
    issuance.issued = {"at": now.isoformat(), "by": actor.to_dict(), "via": "window",
                       "receipt_no": f"QJ-{issuance.case_no}", "position": position,
                       "recipient": recipient, "documents": list(issuance.documents),
                       "signature": signature}
    issuance._log(now, actor, "issued", f"{issuance.issued['receipt_no']} to {recipient['name']} ({recipient['as']})")
    return issuance._event("result_issued", now, actor, {
        "outcome": issuance.outcome, "to": recipient["name"], "via": "window", "position": position,
        "receipt_no": issuance.issued["receipt_no"], "collected_by": recipient["as"]}, None)
