"""The SLA service's commands (跟踪督办), one plain function each over a
hall.domain.ports.UnitOfWork: its repository (hall.domain.sla_store.SlaStore), the outbox, the
catalogue in force (chief representatives), the working-day calendar and the clock.

The event half follows every case event, keeps each case's clock record and scans the clocks;
the gRPC half reads a case as tracked, its clocks, notices, ratings and statistics. Who may
see what is hall.domain.identity's rule."""
from __future__ import annotations

import logging
import time
from typing import Callable

from hall.domain import case_clock, case_record, evaluation, identity, statistics, supervision, timeline
from hall.domain.errors import InvalidArgument, NotFound
from hall.domain.events import Event
from hall.domain.identity import Actor
from hall.domain.ports import UnitOfWork

log = logging.getLogger(__name__)
FOLLOW_UP_STATUSES = ("open", "resolved")


# --- following the cases (sla-worker) --------------------------------------------------------

def record_event(uow: UnitOfWork, event: Event) -> bool:
    """Add an event to its case's timeline once."""
    return uow.repo.record(event, event.source)


def follow_case(uow: UnitOfWork, event: Event, refresh: Callable[[str], object]) -> None:
    """Record an event once and bring its case's clock record up to date (`refresh`, which may
    gather the cases handled at the same moment into one rewrite)."""
    record_event(uow, event)
    refresh(event.case_no)


def refresh_clocks(uow: UnitOfWork, case_nos: list[str], policy: case_clock.Policy) -> dict:
    """Rebuild the clock records of `case_nos` from their timelines: {case_no: (before, after)}."""
    return uow.repo.refresh_many(case_nos, uow.calendar, policy, uow.now().date())


def newly_decided(results: dict) -> list[dict]:
    """The records a refresh saw decided for the first time (each counted once)."""
    return [after for before, after in results.values()
            if after and after.get("decided_on") and not (before and before.get("decided_on"))]


def close_case(uow: UnitOfWork, issued: Event) -> None:
    """Once a result is issued, close the case with its on-time verdict (`case_closed`)."""
    closed = timeline.close(issued, uow.repo.events(issued.case_no), uow.calendar)
    uow.repo.record(closed, "sla", own=True)


def check_clocks(uow: UnitOfWork, cfg, max_rounds: int = 20) -> dict:
    """Move every record due for a check to today and raise the notices it owes to the chief
    representatives of the catalogue in force; returns counts. Each round's notices and record
    updates go to the store in one batch each."""
    now, chiefs = uow.now(), supervision.chiefs_of(uow.catalogue.current)
    today, repo = now.date(), uow.repo
    counts = {"checked": 0, "raised": 0, "conflicts": 0}
    for _ in range(max_rounds):
        due = repo.due_for_check(today, cfg.scan_batch)
        raised, pairs = [], []
        for old in due:
            rec = case_record.restate(old, today)
            for watch, level in case_record.owed(rec):
                notice, event = supervision.raise_notice(rec, watch, level, chiefs.get(watch["department"], {}),
                                                         now, cfg.escalate_after)
                raised.append((notice, event.to_dict()))
                case_record.mark_raised(rec, watch, level)
            rec["next_check"] = case_record.next_check(rec, today)
            pairs.append((old, rec))
        counts["raised"] += repo.add_notices(raised)  # notices first: a crash here re-raises nothing twice
        saved = repo.save_checked(pairs)
        counts["checked"] += saved
        counts["conflicts"] += len(pairs) - saved  # an event rewrote them; the next scan looks again
        if len(due) < cfg.scan_batch or saved < len(pairs):
            break
    return counts


def escalate_notices(uow: UnitOfWork, limit: int = 500) -> int:
    """Escalate every open notice whose time to be acknowledged has run out."""
    now, n = uow.now(), 0
    for notice in uow.repo.notices_to_escalate(now, limit):
        if notice["status"] != "open":
            continue
        changes, event = supervision.escalate(notice, now)
        try:
            uow.repo.change_notice(notice, changes, event.to_dict())
            n += 1
        except Exception:
            log.exception("could not escalate notice %s; the next scan retries", notice["_id"])
    return n


def scan_clocks(uow: UnitOfWork, cfg) -> dict:
    """One periodic scan: clocks and the notices they owe, then escalations; counts and seconds."""
    started = time.perf_counter()
    counts = check_clocks(uow, cfg)
    counts["escalated"] = escalate_notices(uow)
    counts["seconds"] = time.perf_counter() - started
    return counts


# --- reading and supervising (sla-api) -------------------------------------------------------

def _events_of(uow: UnitOfWork, case_no: str) -> list[dict]:
    return uow.repo.events(case_no) if 0 < len(case_no) <= 40 else []


def case_view(uow: UnitOfWork, actor: Actor, case_no: str) -> tuple[dict, str]:
    """Everything the SLA has seen of a case with its clocks as of now, and its site."""
    events = _events_of(uow, case_no)
    if not events:
        raise NotFound(identity.no_such_case(case_no))
    view = timeline.build_view(events, uow.calendar, uow.now())
    identity.may_see_case(actor, view["departments"], case_no)
    return view, events[0]["site"]


def case_clock_of(uow: UnitOfWork, actor: Actor, case_no: str, policy) -> tuple[dict, dict, list[dict]]:
    """A case's clock record recomputed from its timeline as of today, its watched clocks by
    key, and its notices."""
    events = _events_of(uow, case_no)
    f = case_clock.facts(events)
    if f is None:
        raise NotFound(identity.no_such_case(case_no))
    identity.may_see_case(actor, list(f.departments), case_no)
    today = uow.now().date()
    stored = uow.repo.clock_record(case_no) or {}
    rec = case_record.build(f, uow.calendar, today, policy, stored.get("raised"))
    return rec, timeline.clocks(events, uow.calendar, today, policy), uow.repo.notices(case_no=case_no)


def cases_at_risk(uow: UnitOfWork, actor: Actor, department: str, states: list[str], limit: int) -> list[dict]:
    """Open cases of a department in the states asked for, earliest promised date first."""
    states = states or ["due_soon", "last_day", "overdue"]
    if any(s not in case_record.OPEN_STATES for s in states):
        raise InvalidArgument(f"states are {', '.join(case_record.OPEN_STATES)}")
    department = identity.department_to_read(actor, department, "supervision notices")
    return uow.repo.at_risk(department, states, limit)


def list_notices(uow: UnitOfWork, actor: Actor, department: str, status: str, case_no: str,
                 limit: int) -> list[dict]:
    """Supervision notices of a department (the caller's own unless they may read others')."""
    if status and status not in supervision.STATUSES:
        raise InvalidArgument(f"status is one of {', '.join(supervision.STATUSES)}")
    department = identity.department_to_read(actor, department, "supervision notices")
    return uow.repo.notices(department, status, case_no, limit)


def acknowledge_notice(uow: UnitOfWork, actor: Actor, notice_id: str, note: str) -> dict:
    """The chief representative (or the office) acknowledges a notice with what is being done."""
    notice = uow.repo.notice(notice_id)
    changes = supervision.acknowledge(notice, actor, note, uow.now())
    uow.repo.change_notice(notice, changes)
    return {**notice, **changes}


def rate_service(uow: UnitOfWork, actor: Actor, follow_up_days: int, level: int, comment: str,
                 case_no: str, ticket: str, window: str, staff_id: str, channel: str) -> dict:
    """好差评: record a rating once; a bad one opens a follow-up due in working days."""
    now = uow.now()
    record = uow.repo.clock_record(case_no) if case_no else None
    rating = evaluation.rate(actor, level, comment, case_no, ticket, window, staff_id, channel, record, now)
    rating["follow_up"] = evaluation.follow_up(rating, uow.calendar.add_working_days(now.date(), follow_up_days),
                                               now)
    uow.repo.add_rating(rating)
    return rating


def list_follow_ups(uow: UnitOfWork, actor: Actor, department: str, status: str, limit: int) -> list[dict]:
    """Follow-ups of bad ratings of a department."""
    if status and status not in FOLLOW_UP_STATUSES:
        raise InvalidArgument("status is open or resolved")
    department = identity.department_to_read(actor, department, "supervision notices")
    return uow.repo.follow_ups(department, status, limit)


def resolve_follow_up(uow: UnitOfWork, actor: Actor, follow_up_id: str, note: str) -> dict:
    """Record what was done about a bad rating."""
    follow = uow.repo.follow_up(follow_up_id)
    changes = evaluation.resolve(follow, actor, note, uow.now())
    return uow.repo.resolve_follow_up(follow, changes)


def statistics_rows(uow: UnitOfWork, actor: Actor, group_by: str, key: str, from_date: str,
                    to_date: str) -> list[dict]:
    """监督考核 figures for cases accepted (and ratings given) in the range, by a dimension."""
    key = identity.statistics_key(actor, group_by, key)
    by = statistics.dimension(group_by)
    start, end = statistics.date_range(from_date, to_date)
    return statistics.summarize(uow.repo.records_between(start, end), uow.repo.ratings_between(start, end),
                                by, key)
