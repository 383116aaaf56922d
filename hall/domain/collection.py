"""Uncollected results: the applicant is reminded, and a result never collected is archived
(转存档案室) with a record, after periods the hall configures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .events import Event
from .identity import SYSTEM
from .issuance import Issuance


@dataclass(frozen=True)
class CollectionPolicy:
    remind_after: timedelta = timedelta(days=3)   # since ready, then since the last reminder
    archive_after: timedelta = timedelta(days=60)  # since ready

    def __post_init__(self):
        if self.remind_after <= timedelta(0) or self.archive_after <= timedelta(0):
            raise ValueError("remind_after and archive_after must be positive")


def due(issuance: Issuance, policy: CollectionPolicy, now: datetime) -> str:
    """What an uncollected result needs now: "archive", "remind" or ""."""
    if issuance.status != "ready" or issuance.ready_at is None:
        return ""
    if now - issuance.ready_at >= policy.archive_after:
        return "archive"
    if now - (issuance.reminded_at or issuance.ready_at) >= policy.remind_after:
        return "remind"
    return ""


def remind(issuance: Issuance, now: datetime) -> Event:
    """Send the applicant a reminder; its event id is fixed by the reminder's number."""
    issuance.reminders += 1
    issuance.reminded_at = now
    issuance._notify(now, "reminder", "", place=issuance.pickup_place)
    issuance._log(now, SYSTEM, "reminded", f"reminder {issuance.reminders}")
    return issuance._event("reminder_sent", now, SYSTEM, {
        "n": issuance.reminders, "pickup_site": issuance.pickup_site, "issue_due": issuance.issue_due,
        "ready_since": issuance.ready_at.isoformat()}, f"{issuance.case_no}/reminder/{issuance.reminders}")


def archive(issuance: Issuance, now: datetime) -> Event:
    """Take the result out of the pickup queue into the archive, with a record of why."""
    issuance.status = "archived"
    issuance.archived = {"archive_no": f"DA-{issuance.case_no}", "at": now.isoformat(),
                         "by": SYSTEM.to_dict(), "ready_since": issuance.ready_at.isoformat(),
                         "reminders": issuance.reminders, "documents": list(issuance.documents),
                         "reason": f"uncollected since {issuance.ready_at.isoformat()[:10]} after "
                                   f"{issuance.reminders} reminder(s)"}
    issuance._notify(now, "archived", "", place=issuance.pickup_place, day=now.date().isoformat(),
                     archive_no=issuance.archived["archive_no"])
    issuance._log(now, SYSTEM, "archived", issuance.archived["reason"])
    return issuance._event("result_archived", now, SYSTEM, {
        k: issuance.archived[k] for k in ("archive_no", "ready_since", "reminders", "reason")},
        f"{issuance.case_no}/archive")


def scan(issuance: Issuance, policy: CollectionPolicy, now: datetime) -> list[Event]:
    """Apply what the policy asks for now, if anything."""
    action = due(issuance, policy, now)
    if action == "archive":
        return [archive(issuance, now)]
    if action == "remind":
        return [remind(issuance, now)]
    return []
