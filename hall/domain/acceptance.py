"""受理: the front desk's formal acceptance of an application into a case.

The rules here decide whether an item may be accepted at a site; the result is the case
record and the `case_accepted` event that starts the pipeline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .applicant import check_applicant
from .clock import SHANGHAI
from .deadlines import CaseDeadlines, case_deadlines
from .errors import InvalidArgument, Refused
from .events import Event, new_event
from .identity import Actor

MAX_MATERIALS = 100
FORMS = ("original", "copy", "electronic")
DELIVERY = ("pickup", "courier")


@dataclass(frozen=True)
class Application:
    idempotency_key: str
    item_code: str
    applicant: dict      # kind, name, id_number, legal_representative, phone
    materials: tuple     # of dicts: name, form, count
    delivery: str = "pickup"
    address: str = ""


def check_materials(materials) -> None:
    """Each material presented has a name, a known form and a sensible count."""
    if len(materials) > MAX_MATERIALS:
        raise InvalidArgument(f"at most {MAX_MATERIALS} materials per application")
    for m in materials:
        if not m.get("name") or len(m["name"]) > 200:
            raise InvalidArgument("every material needs a name (at most 200 characters)")
        if m.get("form") not in FORMS:
            raise InvalidArgument(f"material {m['name']!r}: form must be one of {', '.join(FORMS)}")
        if not isinstance(m.get("count"), int) or not 0 < m["count"] <= 1000:
            raise InvalidArgument(f"material {m['name']!r}: count must be between 1 and 1000")


def validate(app: Application) -> None:
    """Refuse malformed applications before anything is stored."""
    if not app.idempotency_key or len(app.idempotency_key) > 128:
        raise InvalidArgument("idempotency_key is required (at most 128 characters)")
    if not app.item_code or len(app.item_code) > 64:
        raise InvalidArgument("item_code is required")
    a = app.applicant
    check_applicant(a.get("kind", ""), a.get("name", ""), a.get("id_number", ""),
                    a.get("legal_representative", ""))
    check_materials(app.materials)
    if app.delivery not in DELIVERY:
        raise InvalidArgument(f"delivery must be one of {', '.join(DELIVERY)}")
    if app.delivery == "courier" and not 5 <= len(app.address) <= 300:
        raise InvalidArgument("courier delivery needs a postal address (5 to 300 characters)")


def check_item(item, site, on: date, undelegated: tuple[str, ...]) -> None:
    """May this item be accepted at this site today? `undelegated`: departments of the item
    that have no valid delegation letter (委托授权书) on that date."""
    if item is None:
        raise InvalidArgument("unknown item code: not in the hall's service-item catalogue")
    if item.classified:
        raise Refused(f"{item.name} is a classified item (保密事项) and is not handled in the hall")
    if site is None:
        raise InvalidArgument("the site is not one of the hall's sites")
    if site.kind == "street" and not item.street_allowed:
        raise Refused(f"{item.name} cannot be accepted at a street service centre")
    if undelegated:
        raise Refused(
            f"department {'、'.join(undelegated)} has no valid delegation letter (委托授权书) "
            f"for {item.name} on {on.isoformat()}; the window may not accept it")


def check_delivery(app: Application, item) -> None:
    if app.delivery == "courier" and not item.courier_allowed:
        raise InvalidArgument(f"{item.name} cannot be delivered by courier; choose pickup")


def accept(app: Application, item, catalogue_version: str, site_code: str, case_no: str,
           actor: Actor, now: datetime, calendar, accepted_on: date | None = None,
           extra: dict | None = None) -> tuple[dict, Event]:
    """Make the case record and its `case_accepted` event. `accepted_on` is earlier than today
    only when Art. 32 deems an application accepted from the day it was received; `extra`
    (documents, hand-over, links to a ticket or consultation) is kept with the record only."""
    check_delivery(app, item)
    accepted_on = accepted_on or now.astimezone(SHANGHAI).date()
    snapshot = item.snapshot()
    dl = case_deadlines(snapshot, accepted_on, calendar, accepted_on)
    data = {
        "item": snapshot,
        "catalogue_version": catalogue_version,
        "applicant": dict(app.applicant),
        "materials": [dict(m) for m in app.materials],
        "delivery": app.delivery,
        "address": app.address,
        "accepted_on": accepted_on.isoformat(),
        "promised_due": dl.promised.due_date.isoformat(),
        "legal_due": dl.legal.due_date.isoformat(),
        "promised_estimated": dl.promised.estimated,  # each deadline its own flag
        "legal_estimated": dl.legal.estimated,
    }
    event = new_event("case_accepted", case_no, site_code, now, actor.to_dict(), data)
    record = {"_id": case_no, "idem": f"{site_code}/{app.idempotency_key}", "site": site_code,
              "accepted_at": now.isoformat(), "accepted_by": actor.to_dict(), **data, **(extra or {})}
    return record, event


def deadlines(record: dict, calendar, today: date) -> CaseDeadlines:
    """An accepted case's deadlines as of `today`, by the one deadline function: what the
    AcceptApplication and SubmitApplication answers show (promised and legal, each with its own
    `estimated` flag and the working days left)."""
    return case_deadlines(record["item"], date.fromisoformat(record["accepted_on"]), calendar, today)
