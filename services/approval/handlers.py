"""Approval's commands (后台分类审批), one plain function each, over a
hall.domain.ports.UnitOfWork: its repository (hall.domain.approval_store.ReviewRepository,
built with the outbox), the catalogue in force (chiefs, licence types), its calendar, the clock.

Who may do what is hall.domain.identity's; what a step does is hall.domain.joint's. The
departments' seals come in as a hall.domain.seal.Keyring."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from hall.catalogue.model import SPECIAL_PROCEDURES
from hall.domain import desk, identity, licence as licences, seal
from hall.domain.approval_store import Licensed
from hall.domain.errors import InvalidArgument, NotFound, StepOutOfOrder
from hall.domain.events import Event, new_event
from hall.domain.identity import Actor
from hall.domain.joint import Authority, CaseReview
from hall.domain.ports import UnitOfWork

log = logging.getLogger(__name__)
ATTEMPTS = 8  # optimistic saves retried when two reviewers change one case at once


def authority(catalogue, signer: Callable[[str, dict], dict]) -> Authority:
    """What the review steps need from the catalogue version in force, and the seals."""
    return Authority(
        chiefs={d.code: d.chief.staff_id for d in catalogue.departments.values()},
        licence_types={t.code: {"code": t.code, "name": t.name, "department": t.department,
                                "trust_level": t.trust_level, "validity_years": t.validity_years}
                       for t in catalogue.licence_types.values()},
        procedures=SPECIAL_PROCEDURES, signer=signer)


def _due(uow: UnitOfWork, review: CaseReview) -> dict:
    return desk.due_dates(review, uow.calendar, uow.now().date())


def _change(uow: UnitOfWork, case_no: str, change: Callable[[CaseReview], list[Event]]) -> CaseReview:
    """Apply `change(review) -> events` and save; on a concurrent write, read again and apply
    again (the step's own checks then see the other write: a second claim is refused)."""
    for attempt in range(ATTEMPTS):
        review = uow.repo.get(case_no)
        events = [e.to_dict() for e in change(review)]
        try:
            uow.repo.save(review, events, _due(uow, review))
            return review
        except StepOutOfOrder:
            if attempt == ATTEMPTS - 1:
                raise


# -- the event half -------------------------------------------------------------------------

def open_review(uow: UnitOfWork, routed: Event) -> bool:
    """Put a routed case on its departments' worklists, once."""
    review = CaseReview.from_routed(routed)
    return uow.repo.add(review, _due(uow, review))


def hold_case(uow: UnitOfWork, held: Event) -> bool:
    """Nobody is responsible: keep the case on the held list until the supervisor sends it on."""
    return uow.repo.hold(held)


def resume_review(uow: UnitOfWork, submitted: Event) -> None:
    """The applicant's corrected materials arrived: the waiting review resumes, its pause ends.
    Intake's event is the record; the review keeps the step in its history."""
    def resume(review: CaseReview) -> list[Event]:
        desk.supplement_submitted(review, submitted)
        return []
    try:
        _change(uow, submitted.case_no, resume)
    except NotFound:
        log.info("supplement for %s before any review: acceptance handles it", submitted.case_no)


# -- review steps ---------------------------------------------------------------------------

def take_step(uow: UnitOfWork, keyring: seal.Keyring, actor: Actor, case_no: str, action: str,
              args: dict, now: datetime | None = None) -> CaseReview:
    """One review step (claim, decide, sign_off…) for `args["department"]` (default: the
    actor's), under optimistic concurrency: never two reviewers on one case."""
    if not case_no:
        raise InvalidArgument("case_no is required")
    identity.may_act_for(actor, args.get("department") or actor.department, action.replace("_", " "))
    auth = authority(uow.catalogue.current, keyring.sign)
    now = now or uow.now()
    return _change(uow, case_no, lambda review: review.act(actor, action, args, auth, now))


def record_decision(uow: UnitOfWork, keyring: seal.Keyring, actor: Actor, case_no: str,
                    args: dict) -> tuple[CaseReview, str, datetime]:
    """The pipeline's decision (HallGateway.RecordDecision): without a prior claim it claims the
    case for its reviewer; a reviewer's rejection waits for the chief's sign-off.
    Returns the review, the department and the time."""
    department = args.get("department") or actor.department
    identity.may_act_for(actor, department, "deciding")
    now = uow.now()
    review = take_step(uow, keyring, actor, case_no, "decide", {**args, "department": department}, now)
    return review, department, now


def worklist(uow: UnitOfWork, actor: Actor, department: str, limit: int, include_decided: bool,
             queue: str = "", mine: bool = False) -> list[dict]:
    """A department's cases, earliest deadline first, each with its working days left."""
    department = identity.worklist_department(actor, department)
    if uow.catalogue.current.department(department) is None:  # a code, never a field path
        raise InvalidArgument(f"unknown department {department[:40]!r}")
    today = uow.now().date()
    return [desk.worklist_line(r, department, uow.calendar, today) for r in uow.repo.worklist(
        department, limit, include_decided, queue, actor.staff_id if mine else "")]


def get_review(uow: UnitOfWork, actor: Actor, case_no: str) -> tuple[CaseReview, object]:
    """A case's review and its deadlines, for its departments' staff, the front desk and supervision."""
    review = uow.repo.get(case_no)
    identity.may_see_case(actor, list(review.children), case_no)
    return review, deadlines(uow, review)


def deadlines(uow: UnitOfWork, review: CaseReview):
    return desk.deadlines(review, uow.calendar, uow.now().date())


# -- held cases -----------------------------------------------------------------------------

def held_cases(uow: UnitOfWork, include_dispatched: bool, limit: int) -> list[dict]:
    """Cases nobody is responsible for, oldest first."""
    return uow.repo.held(include_dispatched, limit)


def dispatch_held(uow: UnitOfWork, actor: Actor, case_no: str, departments: list[str], note: str) -> dict:
    """The supervision office sends a held case to the departments it names, once."""
    departments = list(dict.fromkeys(departments))
    unknown = [d for d in departments if d not in uow.catalogue.current.departments]
    if not departments or unknown:
        raise InvalidArgument(f"name the responsible departments by code; unknown: {', '.join(unknown) or 'none given'}")
    held = uow.repo.held_case(case_no)
    if held is None:
        raise NotFound(f"case {case_no} is not held")
    now, note = uow.now(), note[:500]
    event = new_event("case_dispatched", case_no, held["event"]["site"], now, actor.to_dict(),
                      {"departments": departments, "note": note,
                       "held_reason": held["event"]["data"].get("reason", "")})
    return uow.repo.dispatch(case_no, {"departments": departments, "by": actor.staff_id,
                                       "at": now.isoformat(), "note": note}, event.to_dict())


# -- checking documents and e-licences (anyone may) -----------------------------------------

@dataclass(frozen=True)
class Verification:
    review: CaseReview
    sealed: dict       # the sealed record the code names
    status: str        # valid, revoked, tampered
    message: str
    public_key: str    # the department's key on record


def verify_decision(uow: UnitOfWork, keyring: seal.Keyring, code: str, document_json: str = "") -> Verification:
    """A decision document, by its verification code, checked against its department's seal on
    record (the text given, or the one sealed)."""
    if not code.strip():
        raise InvalidArgument("verification_code is required")
    normal = seal.normalise_code(code)
    review = uow.repo.by_code(normal) if len(normal) == 19 else None
    if review is None:
        raise NotFound(f"no decision document has verification code {code!r}")
    sealed = next(s for s in desk.sealed_records(review) if s.get("code") == normal)
    public_key = keyring.public_key(sealed["key_id"]) or ""
    status, message = desk.verdict(review, document_json or sealed["document_json"], sealed["signature"], public_key)
    return Verification(review, sealed, status, message, public_key)


def _checked(uow: UnitOfWork, keyring: seal.Keyring, found: Licensed) -> tuple[Licensed, str]:
    lic = found.licence
    return found, licences.status(lic, bool(found.revocation), keyring.public_key(lic.get("key_id", "")),
                                  uow.now().date())


def find_licences(uow: UnitOfWork, keyring: seal.Keyring, holder_id: str, licence_type: str = "",
                  include_inactive: bool = False) -> list[tuple[Licensed, str]]:
    """A holder's licences with their status (valid ones unless include_inactive), optionally of one type."""
    found = [_checked(uow, keyring, f) for f in uow.repo.licences(holder_id)]
    return [(f, status) for f, status in found if (not licence_type or f.licence.get("licence_type") == licence_type)
            and (include_inactive or status == "valid")]


def verify_licence(uow: UnitOfWork, keyring: seal.Keyring, number: str) -> tuple[Licensed, str]:
    """One licence with its seal checked: valid, expired, revoked or tampered."""
    found = uow.repo.licence(number.strip()) if number.strip() else None
    if found is None:
        raise NotFound(f"no e-licence numbered {number!r} was issued here")
    return _checked(uow, keyring, found)
