"""Intake's service layer (综合受理): one plain function per command over a UnitOfWork whose
repository is a hall.domain.intake_store.IntakeStore built with the outbox, so the events a
write causes (`case_accepted`, `supplement_submitted`) leave for the bus at once.

The caller's Actor comes in verified; who may do what is hall.domain.identity's; the times
are the unit of work's clock; the working days are the calendar of the catalogue in force."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from hall.domain import (acceptance, consultation, documents, formal_review, handover, identity,
                         intake_result, prereview as prereviews, queueing, supplements)
from hall.domain.acceptance import Application
from hall.domain.applicant import check_applicant
from hall.domain.case_number import format_case_no
from hall.domain.clock import SHANGHAI
from hall.domain.deadlines import CaseDeadlines
from hall.domain.errors import InvalidArgument, NotFound, Refused, StepOutOfOrder
from hall.domain.events import Event
from hall.domain.identity import Actor, require_role
from hall.domain.intake_store import IntakeStore, LicenceLibrary
from hall.domain.ports import UnitOfWork

STAFF = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin")
TICKET_ATTEMPTS, CALL_ATTEMPTS, SUPPLEMENT_ATTEMPTS = 20, 5, 5


@dataclass(frozen=True)
class Accepted:
    """An accepted case as the window is told it: its record and its deadlines as of today."""
    record: dict
    replayed: bool
    deadlines: CaseDeadlines


@dataclass(frozen=True)
class Submitted:
    """The one result of a formal review: a case (with deadlines) or a refusal or supplement notice."""
    record: dict
    replayed: bool
    library: str = "ok"  # "unavailable" when the e-licence library did not answer
    deadlines: CaseDeadlines | None = None


@dataclass(frozen=True)
class Ticket:
    record: dict
    ahead: int = 0
    warning: str = ""
    replayed: bool = False


@dataclass(frozen=True)
class Prereview:
    record: dict
    replayed: bool
    standing: dict = field(default_factory=dict)  # Art. 32's five days: prereview.status()


def _repo(uow: UnitOfWork) -> IntakeStore:
    return uow.repo


# --- acceptance ----------------------------------------------------------------------------

def told(uow: UnitOfWork, record: dict, replayed: bool) -> Accepted:
    """What the window is told of an accepted case today."""
    return Accepted(record, replayed, acceptance.deadlines(record, uow.calendar, uow.now().date()))


def document_number(uow: UnitOfWork, kind: str, site: str, day: date) -> str:
    return documents.number(kind, site, day, _repo(uow).next_sequence(f"{site}-DOC", day))


def make_case(uow: UnitOfWork, app: Application, item, site: str, actor: Actor, now: datetime,
              paper: list[dict], accepted_on: date | None = None, extra: dict | None = None) -> tuple[dict, bool]:
    """Store the case once per idempotency key with its 受理通知书, paper hand-over and
    `case_accepted`: (record, replayed). Shared by the window, the formal review and a passed
    online pre-review; a replay is caught by the store's unique key."""
    repo, cat = _repo(uow), uow.catalogue.current
    repo.numbering.check(site)
    case_no = format_case_no(site, now.date(), repo.next_sequence(site, now.date()))
    record, event = acceptance.accept(app, item, cat.version, site, case_no, actor, now,
                                      uow.calendar, accepted_on, extra)
    notice = documents.make(
        "acceptance_notice", document_number(uow, "acceptance_notice", site, now.date()), site,
        now, actor.to_dict(), record["item"], record["applicant"],
        {"promised_limit": item.promised_limit, "promised_due": record["promised_due"],
         "legal_due": record["legal_due"], "deemed_from": (extra or {}).get("deemed_from", "")},
        case_no)
    record["documents"] = [notice]
    record["handover"] = handover.make(item.lead, site, actor, now, paper, uow.calendar)
    existing = repo.add_case(record, [event.to_dict()])
    return (existing, True) if existing else (record, False)


def accept_application(uow: UnitOfWork, actor: Actor, app: Application, site: str = "") -> Accepted:
    """Accept an application at the caller's site; a retried key returns the same case. The
    materials listed are recorded and their paper handed over."""
    site = site or actor.site
    identity.may_accept(actor, site)
    acceptance.validate(app)
    if existing := _repo(uow).case_by_key(f"{site}/{app.idempotency_key}"):
        return told(uow, existing, True)
    now, cat = uow.now(), uow.catalogue.current
    item = cat.item(app.item_code)
    acceptance.check_item(item, cat.site(site), now.date(),
                          item and cat.missing_delegations(item.code, now.date()))
    paper = [dict(m) for m in app.materials if m["form"] != "electronic"]
    return told(uow, *make_case(uow, app, item, site, actor, now, paper))


def get_case(uow: UnitOfWork, actor: Actor, case_no: str) -> dict:
    """The case as accepted, to those who may see it."""
    rec = _repo(uow).case(case_no)
    if rec is None:
        raise NotFound(identity.no_such_case(case_no))
    identity.may_see_case(actor, rec["item"]["departments"], case_no)
    return rec


def usable_licences(licences: LicenceLibrary, item, holder_id: str, today: date) -> tuple[dict, str]:
    """The holder's e-licences that may replace paper, and whether the library answered."""
    if item is None or not any(m.licence_type for m in item.materials):
        return {}, "ok"
    found, reachable = licences.find(holder_id)
    return formal_review.usable_licences(found, holder_id, today), "ok" if reachable else "unavailable"


def submit_application(uow: UnitOfWork, actor: Actor, licences: LicenceLibrary,
                       sub: intake_result.Submission, site: str = "", ticket_id: str = "",
                       consultation_id: str = "") -> Submitted:
    """Formal review at the window (受理初审): accepted, refused or a one-time supplement
    notice, each documented; the ticket it served is closed with the result."""
    repo, site = _repo(uow), site or actor.site
    identity.may_accept(actor, site)
    intake_result.validate_submission(sub)
    idem = f"{site}/{sub.app.idempotency_key}"
    if rec := repo.case_by_key(idem):
        return Submitted(rec, True, deadlines=told(uow, rec, True).deadlines)
    if rec := repo.submission(idem):
        return Submitted(rec, True, rec.get("library", "ok"))
    ticket = _ticket_served(repo, ticket_id, site)
    if consultation_id and not repo.consultation(consultation_id):
        raise NotFound(f"no consultation {consultation_id!r}")
    cat, now = uow.catalogue.current, uow.now()
    item = cat.item(sub.app.item_code)
    found, library = usable_licences(licences, item, sub.app.applicant["id_number"], now.date())
    result = intake_result.decide(sub, item, cat.site(site), now.date(),
                                  item and cat.missing_delegations(item.code, now.date()), found)
    links = {"ticket_id": ticket_id, "consultation_id": consultation_id,
             "checks": [c.to_dict() for c in result.finding.checks] if result.finding else []}
    if result.kind == "accepted":
        paper = formal_review.paper_received(list(sub.app.materials), result.finding)
        rec, replayed = make_case(uow, sub.app, item, site, actor, now, paper, extra=links)
        _close_ticket(uow, ticket, rec["_id"], "accepted")
        return Submitted(rec, replayed, library, told(uow, rec, replayed).deadlines)
    rec = _documented(uow, actor, sub, item, site, idem, result, now, {**links, "library": library})
    existing = repo.add_submission(rec)
    _close_ticket(uow, ticket, "", result.kind)
    return Submitted(existing or rec, bool(existing), (existing or rec).get("library", "ok"))


def _documented(uow, actor, sub, item, site, idem, result, now, links) -> dict:
    """A refused or supplement-notice submission with its 不予受理决定书 or 一次性告知书."""
    kind = "refusal_decision" if result.kind == "refused" else "supplement_notice"
    body = ({"reason": result.reason, "legal_basis": result.legal_basis} if result.kind == "refused"
            else {"problems": result.finding.problems})
    doc = documents.make(kind, document_number(uow, kind, site, now.date()), site, now,
                         actor.to_dict(), item.snapshot(), sub.app.applicant, body)
    return {"_id": idem, "result": result.kind, "site": site, "item": item.snapshot(),
            "applicant": dict(sub.app.applicant), "materials": [dict(m) for m in sub.app.materials],
            "answers": sub.answers, "at": now.isoformat(), "by": actor.to_dict(), "documents": [doc], **links}


def _ticket_served(repo: IntakeStore, ticket_id: str, site: str) -> dict | None:
    if not ticket_id:
        return None
    t = repo.ticket(ticket_id) if len(ticket_id) <= 80 else None
    if t is None or t["site"] != site:
        raise NotFound(f"no ticket {ticket_id!r} at site {site}")
    if t["status"] != "called":
        raise StepOutOfOrder(f"ticket {t['number']} is {t['status']}; only a called ticket is served")
    return t


def _close_ticket(uow: UnitOfWork, ticket: dict | None, case_no: str, result: str) -> None:
    if ticket:
        _repo(uow).change_ticket(ticket, {"status": "served", "case_no": case_no, "result": result,
                                          "closed_at": uow.now().isoformat()})


def get_document(uow: UnitOfWork, actor: Actor, verification_code: str) -> dict:
    """A document by its verification code."""
    require_role(actor, *STAFF, action="reading documents")
    code = verification_code.strip().upper()
    doc = _repo(uow).document(code) if len(code) == 14 else None
    if doc is None:
        raise NotFound(f"no document has the verification code {verification_code!r}")
    return doc


# --- consultations (咨询导办) ----------------------------------------------------------------

def consult(uow: UnitOfWork, actor: Actor, item_code: str, question: str, key: str,
            applicant: dict) -> tuple[dict, bool]:
    """The item's guide, a pre-filled application, pre-guidance for complex items: (record, replayed)."""
    cat = uow.catalogue.current
    item = cat.item(item_code)
    consultation.check(actor, item, question)
    if not 0 < len(key) <= 128:
        raise InvalidArgument("idempotency_key is required (at most 128 characters)")
    if applicant["name"] or applicant["id_number"]:
        check_applicant(applicant["kind"], applicant["name"], applicant["id_number"],
                        applicant["legal_representative"])
    rec = {"_id": f"ZX-{uuid.uuid4().hex[:12]}", "idem": f"{actor.site}/{key}", "site": actor.site,
           "question": question, "guide": consultation.guide(cat, item, actor.site),
           "notes": consultation.pre_guidance(cat, item), "draft": consultation.draft(item, applicant),
           "at": uow.now().isoformat(), "actor": actor.to_dict()}
    existing = _repo(uow).add_consultation(rec)
    return existing or rec, bool(existing)


def get_consultation(uow: UnitOfWork, actor: Actor, consultation_id: str) -> dict:
    require_role(actor, *STAFF, action="reading consultations")
    rec = _repo(uow).consultation(consultation_id) if len(consultation_id) <= 40 else None
    if rec is None:
        raise NotFound(f"no consultation {consultation_id!r}")
    return rec


# --- queue tickets (自动取号) ----------------------------------------------------------------

def take_ticket(uow: UnitOfWork, actor: Actor, caps: queueing.Caps, key: str, site: str = "",
                sector: str = "", item_code: str = "", priority: str = "", phone: str = "") -> Ticket:
    """A ticket for a sector or item at a site; a retried key returns the same ticket."""
    repo, site_code = _repo(uow), site or actor.site
    identity.may_take_ticket(actor, site_code)
    if not 0 < len(key) <= 128 or len(phone) > 20:
        raise InvalidArgument("idempotency_key is required (at most 128 characters); phone at most 20")
    if priority not in queueing.PRIORITIES:
        raise InvalidArgument(f"priority must be one of: {', '.join(p for p in queueing.PRIORITIES if p)}")
    idem = f"{site_code}/{key}"
    if existing := repo.ticket_by_key(idem):
        return Ticket(existing, replayed=True)
    cat, now = uow.catalogue.current, uow.now()
    site_ = cat.site(site_code)
    sector = queueing.resolve_sector(cat, site_, sector, item_code)
    cap, day = caps.cap(site_.kind, sector), now.date().isoformat()
    letter = queueing.sector_letter(list(cat.sectors), sector)
    for _ in range(TICKET_ATTEMPTS):
        seq = repo.last_seq(site_code, day, sector) + 1
        warning = queueing.check_cap(seq - 1, cap, sector)
        doc = {"_id": f"{site_code}/{day}/{cat.sector(sector).code}/{seq}", "idem": idem,
               "number": f"{letter}{seq:03d}", "site": site_code, "day": day, "sector": sector,
               "origin": sector, "seq": seq, "item_code": item_code,
               "priority": priority, "priority_rank": queueing.PRIORITIES[priority],
               "phone": phone, "status": "waiting", "taken_at": now.isoformat(),
               "queued_at": now.isoformat(), "taken_by": actor.to_dict(), "recalls": 0}
        outcome = repo.add_ticket(doc)
        if outcome == "ok":
            return Ticket(doc, _ahead(repo, doc), warning)
        if outcome == "same_key":
            return Ticket(repo.ticket_by_key(idem), replayed=True)
    raise StepOutOfOrder("the ticket machine is busy; press again")


def _ahead(repo: IntakeStore, t: dict) -> int:
    mine = queueing.call_order(t)
    return sum(1 for o in repo.tickets_of_day(t["site"], t["day"])
               if o["status"] == "waiting" and o["sector"] == t["sector"] and queueing.call_order(o) < mine)


def call_next(uow: UnitOfWork, actor: Actor, window: str) -> Ticket:
    """The next ticket this window may serve, in the domain's call order (green channel first,
    then the earliest); two windows never get the same one."""
    repo = _repo(uow)
    sectors = queueing.window_sectors(uow.catalogue.current, actor, window)
    now = uow.now()
    for _ in range(CALL_ATTEMPTS):
        candidates = sorted(repo.waiting_tickets(actor.site, now.date().isoformat(), sectors),
                            key=queueing.call_order)
        if not candidates:
            raise NotFound(f"nobody is waiting for {'、'.join(sectors)}")
        for t in candidates:  # lost a race for one: try the next
            fields = {"status": "called", "window": window, "called_at": now.isoformat(),
                      "called_by": actor.to_dict(), "first_called_at": t.get("first_called_at") or now.isoformat()}
            if repo.claim_ticket(t["_id"], fields):
                return Ticket({**t, **fields})
    raise StepOutOfOrder("other windows are calling at the same moment; call again")


def _step(uow: UnitOfWork, actor: Actor, ticket_id: str, action: str) -> dict:
    require_role(actor, "clerk", action="handling a queue ticket")
    ticket = _repo(uow).ticket(ticket_id) if 0 < len(ticket_id) <= 80 else None
    queueing.check_step(ticket, action, actor)
    return ticket


def recall_ticket(uow: UnitOfWork, actor: Actor, ticket_id: str) -> Ticket:
    """Call the same ticket again (叫号重呼)."""
    t = _step(uow, actor, ticket_id, "recall")
    return Ticket(_repo(uow).change_ticket(t, {"called_at": uow.now().isoformat()}, {"recalls": 1}))


def mark_no_show(uow: UnitOfWork, actor: Actor, ticket_id: str) -> Ticket:
    t = _step(uow, actor, ticket_id, "no_show")
    return Ticket(_repo(uow).change_ticket(t, {"status": "no_show", "closed_by": actor.to_dict(),
                                               "closed_at": uow.now().isoformat()}))


def transfer_ticket(uow: UnitOfWork, actor: Actor, ticket_id: str, sector: str, reason: str) -> Ticket:
    """Send a called ticket to another sector's queue; it keeps its place in time."""
    t = _step(uow, actor, ticket_id, "transfer")
    cat = uow.catalogue.current
    sector = queueing.resolve_sector(cat, cat.site(t["site"]), sector, "")
    if sector == t["sector"] or len(reason) > 200:
        raise InvalidArgument("transfer to another sector (reason at most 200 characters)")
    return Ticket(_repo(uow).change_ticket(t, {
        "status": "waiting", "sector": sector, "transferred_from": t["sector"], "window": "",
        "transfer": {"by": actor.to_dict(), "at": uow.now().isoformat(), "reason": reason}}))


def finish_ticket(uow: UnitOfWork, actor: Actor, ticket_id: str, case_no: str = "") -> Ticket:
    """The visit is over; `case_no` links the case it led to."""
    t = _step(uow, actor, ticket_id, "finish")
    if case_no and _repo(uow).case(case_no) is None:
        raise NotFound(f"no case numbered {case_no!r}")
    return Ticket(_repo(uow).change_ticket(t, {"status": "served", "case_no": case_no,
                                               "closed_at": uow.now().isoformat()}))


def queue_status(uow: UnitOfWork, actor: Actor, caps: queueing.Caps, site: str = "") -> tuple[str, str, list[dict]]:
    """(site, day, per-sector stats): waiting counts, average wait and caps at a site, today."""
    require_role(actor, "clerk", "supervisor", "admin", "system", action="reading the queue")
    cat, day = uow.catalogue.current, uow.now().date().isoformat()
    site_ = cat.site(site or actor.site)
    if site_ is None:
        raise InvalidArgument("the site is not one of the hall's sites")
    served = [s for s in cat.sectors
              if any(s in w.sectors for w in cat.windows_at(site_.code) if w.kind == "front")]
    tickets = _repo(uow).tickets_of_day(site_.code, day)
    return site_.code, day, [queueing.sector_stats(tickets, s, caps.cap(site_.kind, s)) for s in served]


def call_board(uow: UnitOfWork, site: str) -> tuple:
    """(site, site name, day, calls, sectors) for a site's call screen; needs no caller."""
    cat, day = uow.catalogue.current, uow.now().date().isoformat()
    site_ = cat.site(site) if 0 < len(site) <= 20 else None
    if site_ is None:
        raise InvalidArgument("name one of the hall's sites")
    served = [s for s in cat.sectors
              if any(s in w.sectors for w in cat.windows_at(site_.code) if w.kind == "front")]
    calls, sectors = queueing.call_board(_repo(uow).tickets_of_day(site_.code, day), served)
    return site_.code, site_.name, day, calls, sectors


# --- online pre-review (网上预审) -------------------------------------------------------------

def _shown(uow: UnitOfWork, rec: dict, replayed: bool) -> Prereview:
    return Prereview(rec, replayed, prereviews.status(rec, uow.now().date(), uow.calendar))


def submit_online(uow: UnitOfWork, actor: Actor, licences: LicenceLibrary,
                  sub: intake_result.Submission, site: str = "", ticket_id: str = "") -> Prereview:
    """An application from the online hall (一网通办) joins the pre-review queue."""
    require_role(actor, "system", "clerk", action="submitting an online application")
    repo, site = _repo(uow), site or actor.site
    intake_result.validate_submission(sub)
    if sub.refusal_reason or ticket_id:
        raise InvalidArgument("an online application carries no refusal and no queue ticket")
    cat, now = uow.catalogue.current, uow.now()
    item = cat.item(sub.app.item_code)
    idem = f"{site}/{sub.app.idempotency_key}"
    if existing := repo.prereview_by_key(idem):
        return _shown(uow, existing, True)
    found, _ = usable_licences(licences, item, sub.app.applicant["id_number"], now.date())
    result = intake_result.decide(sub, item, cat.site(site), now.date(),
                                  item and cat.missing_delegations(item.code, now.date()), found, online=True)
    if result.kind == "refused":
        raise Refused(result.reason)
    rec = {"_id": f"YS-{uuid.uuid4().hex[:12]}", "idem": idem, "site": site,
           "item": item.snapshot(), "applicant": dict(sub.app.applicant),
           "materials": [dict(m) for m in sub.app.materials], "answers": sub.answers,
           "delivery": sub.app.delivery, "address": sub.app.address,
           "checks": [c.to_dict() for c in result.finding.checks], "status": "waiting",
           "received_at": now.isoformat(), "received_on": now.date().isoformat(),
           "submitted_by": actor.to_dict(), "documents": []}
    existing = repo.add_prereview(rec)
    return _shown(uow, existing or rec, bool(existing))


def list_prereviews(uow: UnitOfWork, actor: Actor, site: str = "", status: str = "",
                    limit: int = 0) -> list[Prereview]:
    """The site's pre-review queue, oldest first, with each one's five-day standing."""
    require_role(actor, "clerk", "supervisor", "admin", action="reading the pre-review queue")
    site = identity.own_site_unless_office(actor, site, "the pre-review queue")
    if status not in ("", "waiting", "passed", "returned"):
        raise InvalidArgument("status is waiting, passed or returned")
    limit = limit or 50
    if not 0 < limit <= 500:
        raise InvalidArgument("limit is 1 to 500")
    return [_shown(uow, p, False) for p in _repo(uow).prereviews(site, status, limit)]


def _open(uow: UnitOfWork, actor: Actor, pre_id: str) -> dict:
    require_role(actor, "clerk", action="pre-reviewing online applications")
    pre = _repo(uow).prereview(pre_id) if 0 < len(pre_id) <= 40 else None
    if pre is None:
        raise NotFound(f"no online application {pre_id!r}")
    identity.may_work_at(actor, pre["site"], f"online application {pre_id}")
    return pre


def pass_prereview(uow: UnitOfWork, actor: Actor, licences: LicenceLibrary, pre_id: str) -> Prereview:
    """Pass: the case is accepted (from the day received if the five days ran out)."""
    pre, repo = _open(uow, actor, pre_id), _repo(uow)
    prereviews.check_open(pre)
    cat, now = uow.catalogue.current, uow.now()
    item = cat.item(pre["item"]["code"])
    accepted_on, deemed_from = prereviews.accepted_on(pre, now.date(), uow.calendar)
    found, _ = usable_licences(licences, item, pre["applicant"]["id_number"], now.date())
    finding = formal_review.review(item, pre["materials"], pre["answers"], found, online=True)
    if not finding.complete and not deemed_from:
        missing = "；".join(f"{p['name']}（{p['problem']}）" for p in finding.problems)
        raise Refused(f"materials are incomplete: {missing}; return it with a one-time notice")
    app = Application(f"online-{pre['_id']}", item.code, pre["applicant"], tuple(pre["materials"]),
                      pre["delivery"], pre["address"])
    rec, _ = make_case(uow, app, item, pre["site"], actor, now, [], accepted_on,
                       extra={"prereview_id": pre["_id"], "deemed_from": deemed_from,
                              "checks": [c.to_dict() for c in finding.checks]})
    repo.close_prereview(pre["_id"], {"status": "passed", "case_no": rec["_id"], "deemed_from": deemed_from,
                                      "visit": prereviews.visit(item), "closed_by": actor.to_dict(),
                                      "closed_at": now.isoformat(), "documents": rec["documents"]})
    return _shown(uow, repo.prereview(pre["_id"]), False)


def return_prereview(uow: UnitOfWork, actor: Actor, pre_id: str, extra: list[dict]) -> Prereview:
    """Return it with every missing or defective material at once (一次性告知书)."""
    pre, repo, now = _open(uow, actor, pre_id), _repo(uow), uow.now()
    prereviews.check_return(pre, now.date(), uow.calendar)
    if any(not p["name"] or not p["problem"] or len(p["name"]) > 200 or len(p["problem"]) > 500
           for p in extra) or len(extra) > 100:
        raise InvalidArgument("each problem names the material and what is wrong (200/500 characters)")
    problems = [{"name": p["name"], "problem": p["problem"]} for p in pre["checks"]
                if p["status"] in ("missing", "defective")] + extra
    if not problems:
        raise InvalidArgument("nothing is missing: list what is wrong, or pass the application")
    doc = documents.make("supplement_notice", document_number(uow, "supplement_notice", pre["site"], now.date()),
                         pre["site"], now, actor.to_dict(), pre["item"], pre["applicant"], {"problems": problems})
    if not repo.close_prereview(pre["_id"], {"status": "returned", "documents": [doc],
                                             "closed_by": actor.to_dict(), "closed_at": now.isoformat()}):
        prereviews.check_open(repo.prereview(pre["_id"]))
    return _shown(uow, repo.prereview(pre["_id"]), False)


# --- after acceptance: paper hand-over and supplements ----------------------------------------

def _limit(n: int) -> int:
    if not 0 <= n <= 500:
        raise InvalidArgument("limit is 1 to 500")
    return n or 100


def list_handovers(uow: UnitOfWork, actor: Actor, department: str, as_of: str = "",
                   unsigned_only: bool = False, overdue_only: bool = False,
                   limit: int = 0) -> list[tuple[dict, bool]]:
    """A department's hand-overs, each with whether it is overdue at `as_of` (ISO 8601; now)."""
    department = identity.department_to_read(actor, department, "hand-overs",
                                             others=("clerk", "supervisor", "admin"))
    if not department:
        raise InvalidArgument("name the department")
    try:
        when = datetime.fromisoformat(as_of) if as_of else uow.now()
    except ValueError:
        raise InvalidArgument(f"as_of {as_of!r} is not an ISO 8601 time") from None
    when = when if when.tzinfo else when.replace(tzinfo=SHANGHAI)
    rows = [(h, handover.overdue(h, when))
            for h in _repo(uow).handovers(department, unsigned_only or overdue_only, _limit(limit))]
    return [(h, late) for h, late in rows if late or not overdue_only]


def sign_handover(uow: UnitOfWork, actor: Actor, case_no: str) -> dict:
    """The department signs for the paper it received, once."""
    repo = _repo(uow)
    case = repo.case(case_no) if 0 < len(case_no) <= 40 else None
    if case is None:
        raise NotFound(f"no case numbered {case_no!r}")
    departments = case["item"]["departments"]
    handover.check_sign(case.get("handover"), case_no, actor, departments)
    if not repo.sign_handover(case_no, actor.to_dict(), uow.now().isoformat()):
        handover.check_sign(repo.case(case_no)["handover"], case_no, actor, departments)
    return {"case_no": case_no, **repo.case(case_no)["handover"]}


def note_supplement_request(uow: UnitOfWork, event: Event) -> bool:
    """A department asked for corrections: the case waits at the front desk, recorded once."""
    return _repo(uow).add_waiting_supplement(supplements.waiting(event))


def list_supplements(uow: UnitOfWork, actor: Actor, site: str = "", include_submitted: bool = False,
                     limit: int = 0) -> list[dict]:
    """Cases waiting at this site for the applicant's corrected materials."""
    require_role(actor, "clerk", "supervisor", "admin", action="reading the supplement list")
    site = identity.own_site_unless_office(actor, site, "the supplement list")
    return _repo(uow).supplements(site=site, waiting_only=not include_submitted,
                                  limit=_limit(limit))


def submit_supplement(uow: UnitOfWork, actor: Actor, case_no: str, key: str, materials: list[dict],
                      department: str = "") -> tuple[dict, bool]:
    """The applicant brought the corrected materials: `supplement_submitted` is stored with the
    request and handed to the outbox at once, once per request: (record, replayed)."""
    if not 0 < len(key) <= 128 or not 0 < len(case_no) <= 40:
        raise InvalidArgument("idempotency_key and case_no are required")
    repo = _repo(uow)
    for _ in range(SUPPLEMENT_ATTEMPTS):  # lost a race to another window: look again
        recs = repo.supplements(case_no=case_no, limit=50)
        done = [x for x in recs if x["status"] == "submitted" and x.get("idempotency_key") == key]
        if done:
            return done[0], True
        rec, now = supplements.pick_waiting(recs, case_no, department), uow.now()
        event = supplements.submit(rec, actor, materials, key, now)
        fields = {"submitted_at": now.isoformat(), "submitted_by": actor.to_dict(),
                  "submitted": materials, "idempotency_key": key}
        if repo.submit_supplement(rec["_id"], fields, event.to_dict()):
            return {**rec, **fields, "status": "submitted"}, False
    raise StepOutOfOrder(f"the supplement of {case_no} is being received at another window; look again")
