"""Delivery's service layer (统一出件): the commands of the issuance desk and of the event half,
as plain functions over a UnitOfWork (the issuance repository built with the outbox, the
catalogue in force with its calendar, the clock). A refused desk request changes nothing and
is logged with actor, time and reason."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import Counter

from hall.domain import collection, identity, places
from hall.domain.errors import DomainError, InvalidArgument, NotFound, StepOutOfOrder
from hall.domain.events import Event
from hall.domain.identity import Actor
from hall.domain.issuance import Issuance
from hall.domain.pickup import WrongCode, add_proxy, collect as hand_over
from hall.domain.ports import UnitOfWork
from hall.domain.shipment import EmsCarrier

REFUSALS = Counter("hall_issuance_refusals_total", "Requests refused at the issuance desk", ["action", "error"])
RETRIES = 5


@dataclass(frozen=True)
class Shown:
    """One result as the desk shows it: with its refusals, its Art. 44 days left and how many
    of its notices went out."""
    issuance: Issuance
    refusals: list[dict]
    days_left: int
    notices_sent: int


def _carrier(uow: UnitOfWork) -> EmsCarrier:
    """EMS under the contract's area and tariff in force (reference/courier.yaml)."""
    return EmsCarrier(uow.catalogue.current.delivery_area)


@contextmanager
def _logged(uow: UnitOfWork, case_no: str, action: str, actor: Actor):
    try:
        yield
    except DomainError as exc:
        REFUSALS.labels(action, type(exc).__name__).inc()
        uow.repo.refused(case_no, action, actor, exc, uow.now())
        raise


def _change(uow: UnitOfWork, actor: Actor, case_no: str, action: str, change) -> Issuance:
    with _logged(uow, case_no, action, actor):
        issuance = uow.repo.get(case_no)
        events = change(issuance, uow.now())
        uow.repo.save(issuance, [e.to_dict() for e in events])
    return issuance


def prepare_result(uow: UnitOfWork, decided: Event) -> bool:
    """Prepare a decided case's result: ship it, forward it to the street centre, or queue it
    here, and tell the applicant; once per case."""
    cat = uow.catalogue.current
    site, place = places.pickup_site(cat, decided.site)
    issuance, events = Issuance.prepare(decided, uow.now(), cat.calendar, places.documents(cat, decided.data),
                                        site, place, _carrier(uow))
    return uow.repo.prepare(issuance, [e.to_dict() for e in events])


def receive_forwarded(uow: UnitOfWork, forwarded: Event, site: str) -> bool:
    """At a street centre's node: a result the district forwarded here is now on its way to
    the issuance position, stored once (a redelivered copy changes nothing)."""
    issuance = Issuance.arrived(forwarded, site, uow.now())
    return bool(issuance) and uow.repo.prepare(issuance, [])


def note_issued_at_centre(uow: UnitOfWork, issued: Event) -> bool:
    """At the district: a result forwarded to a street centre was handed over there (retried
    when a desk change got in between); False when there was nothing to note."""
    for attempt in range(RETRIES):
        try:
            issuance = uow.repo.get(issued.case_no)
        except NotFound:
            return False  # not a result the district prepared
        if not issuance.handed_over_at_centre(issued, uow.now()):
            return False
        try:
            uow.repo.save(issuance, [])
            return True
        except StepOutOfOrder:
            if attempt == RETRIES - 1:
                raise
    return False


def follow_carrier(uow: UnitOfWork, status: Event) -> None:
    """Follow the shipment: delivered issues the result, returned puts it back in the queue
    (retried when a desk change got in between)."""
    for attempt in range(RETRIES):
        issuance = uow.repo.get(status.case_no)
        events = issuance.follow_carrier(status, uow.now())
        if not events:
            return
        try:
            uow.repo.save(issuance, [e.to_dict() for e in events])
            return
        except StepOutOfOrder:
            if attempt == RETRIES - 1:
                raise


def scan_uncollected(uow: UnitOfWork, policy: collection.CollectionPolicy, resend_window: timedelta) -> int:
    """Remind applicants of uncollected results, archive those past the period, and send the
    notices a crash kept back; how many results changed."""
    now, changed = uow.now(), 0
    for issuance in uow.repo.due_for_scan(now, policy.remind_after, policy.archive_after):
        try:
            events = collection.scan(issuance, policy, now)
            if events:
                uow.repo.save(issuance, [e.to_dict() for e in events])
                changed += 1
        except StepOutOfOrder:  # collected meanwhile: the next scan sees it as it is
            continue
    uow.repo.resend_recent(resend_window, now)
    return changed


def collect(uow: UnitOfWork, actor: Actor, case_no: str, pickup_code: str, id_number: str,
            position: str, signature: str) -> Issuance:
    """Hand the result over at an issuance position of the actor's site, once, against the
    pickup code and the ID of the applicant or a recorded proxy, with a signed receipt."""
    positions = places.positions(uow.catalogue.current, actor.site)
    try:
        return _change(uow, actor, case_no, "collect", lambda i, now: [
            hand_over(i, actor, pickup_code, id_number, position, signature, now, positions)])
    except WrongCode as wrong:
        uow.repo.save(wrong.issuance, [])  # the attempt counts (and a lock holds) once it is stored
        raise


def unlock_pickup(uow: UnitOfWork, actor: Actor, case_no: str, id_number: str, note: str) -> Issuance:
    """The issuer checked the applicant's identity document at the window: pickup by code opens
    again with a new code sent to the applicant; who, when and the masked ID are recorded."""
    return _change(uow, actor, case_no, "unlock_pickup", lambda i, now: (
        i.unlock_code(actor, id_number, note, now), [])[1])


def record_proxy(uow: UnitOfWork, actor: Actor, case_no: str, name: str, id_number: str, letter: str,
                 valid_until: str) -> Issuance:
    """Record a proxy's authorization letter (授权委托书) for a waiting result."""
    return _change(uow, actor, case_no, "record_proxy", lambda i, now: (
        add_proxy(i, actor, name, id_number, letter, valid_until, now), [])[1])


def choose_courier(uow: UnitOfWork, actor: Actor, case_no: str, address: str, phone: str) -> Issuance:
    """Send a waiting result by EMS to an address in the delivery area, at the tariff in force."""
    carrier = _carrier(uow)
    return _change(uow, actor, case_no, "choose_courier",
                   lambda i, now: i.choose_courier(actor, carrier, address, phone, now))


def receive_handover(uow: UnitOfWork, actor: Actor, case_no: str) -> Issuance:
    """The street centre signs for a forwarded result; the applicant gets the pickup code."""
    return _change(uow, actor, case_no, "receive_handover", lambda i, now: i.receive_handover(actor, now))


def show(uow: UnitOfWork, issuance: Issuance) -> Shown:
    """A result with everything the desk shows about it."""
    days_left = issuance.days_left(uow.catalogue.current.calendar, uow.now().date())
    return Shown(issuance, uow.repo.refusals(issuance.case_no), days_left, uow.repo.notices_sent(issuance))


def get_issuance(uow: UnitOfWork, case_no: str) -> Shown:
    """Where a result is and everything done with it."""
    return show(uow, uow.repo.get(case_no))


def pickup_queue(uow: UnitOfWork, actor: Actor, site: str, limit: int) -> list[Shown]:
    """Results waiting at (or on their way to) a site, the earliest issue date first; the
    actor's own site unless they are of the office."""
    site = identity.own_site_unless_office(actor, site, "the pickup queue")
    limit = limit or 50
    if not 0 < limit <= 500:
        raise InvalidArgument("limit must be between 1 and 500")
    return [show(uow, i) for i in uow.repo.queue(site, limit)]
