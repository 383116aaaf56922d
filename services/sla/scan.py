"""The periodic look at the clocks (跟踪督办): records whose next check has come are moved to
today, each warning they owe raises a notice to the chief representative, and notices left
unacknowledged too long go to the supervision office. Both reads are indexed ranges, so the
work grows with the cases that need a look, not with the cases stored."""
from __future__ import annotations

import logging
import time
from datetime import datetime

from hall.domain import case_record, supervision
from hall.domain.clock import SHANGHAI

log = logging.getLogger(__name__)


def chiefs_of(catalogue) -> dict:
    """Department code -> its chief representative, from the reference data."""
    return {code: {"staff_id": d.chief.staff_id, "name": d.chief.name}
            for code, d in catalogue.departments.items()}


def check_clocks(repo, chiefs: dict, cfg, now: datetime, max_rounds: int = 20) -> dict:
    """Move every record due for a check to today and raise what it owes; returns counts.
    Each round's notices and record updates go to the database in one batch each."""
    today = now.astimezone(SHANGHAI).date()
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


def escalate_notices(repo, now: datetime, limit: int = 500) -> int:
    """Escalate every open notice whose time to be acknowledged has run out."""
    n = 0
    for notice in repo.notices_to_escalate(now, limit):
        if notice["status"] != "open":
            continue
        changes, event = supervision.escalate(notice, now)
        try:
            repo.change_notice(notice, changes, event.to_dict())
            n += 1
        except Exception:
            log.exception("could not escalate notice %s; the next scan retries", notice["_id"])
    return n


def scan(repo, chiefs: dict, cfg, now: datetime | None = None) -> dict:
    """One periodic scan: clocks, then escalations."""
    started = time.perf_counter()
    now = now or datetime.now(SHANGHAI)
    counts = check_clocks(repo, chiefs, cfg, now)
    counts["escalated"] = escalate_notices(repo, now)
    counts["seconds"] = time.perf_counter() - started
    return counts
