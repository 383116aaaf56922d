"""网上预审: online applications wait for a front-desk reviewer, who passes them or returns
them with a one-time list (一次性告知). Art. 32 行政许可法: a notice not given within five
working days (Art. 82: the law's periods are working days) means the application counts as
accepted from the day it was received.
"""
from __future__ import annotations

from datetime import date

from .errors import Refused, StepOutOfOrder

NOTICE_DAYS = 5


def notice_due(received_on: date, calendar) -> date:
    """The last day a supplement notice may be given (day 1 is the day after receipt)."""
    return calendar.add_working_days(received_on, NOTICE_DAYS)


def deemed_accepted(received_on: date, today: date, calendar) -> bool:
    return today > notice_due(received_on, calendar)


def status(pre: dict, today: date, calendar) -> dict:
    """The five-day rule as a waiting prereview stands today."""
    received = date.fromisoformat(pre["received_on"])
    due = notice_due(received, calendar)
    waiting = pre["status"] == "waiting"
    return {"notice_due": due.isoformat(),
            "days_left": calendar.working_days_between(today, due) if today <= due
            else -calendar.working_days_between(due, today),
            "deemed_accepted": bool(pre.get("deemed_from")) or (waiting and today > due)}


def check_open(pre: dict) -> None:
    if pre["status"] != "waiting":
        raise StepOutOfOrder(f"online application {pre['_id']} was already {pre['status']}")


def check_return(pre: dict, today: date, calendar) -> None:
    """A one-time notice is possible only within the five working days."""
    check_open(pre)
    received = date.fromisoformat(pre["received_on"])
    if deemed_accepted(received, today, calendar):
        raise Refused(
            f"the five working days for a one-time notice ended on "
            f"{notice_due(received, calendar).isoformat()}: by Art. 32 the application counts as "
            f"accepted from {received.isoformat()}; pass it, and let the department ask for any "
            "correction (补正)")


def accepted_on(pre: dict, today: date, calendar) -> tuple[date, str]:
    """The acceptance day of a passed prereview, and the deemed-from day if Art. 32 applied."""
    received = date.fromisoformat(pre["received_on"])
    if deemed_accepted(received, today, calendar):
        return received, received.isoformat()
    return today, ""


def visit(item) -> str:
    """网上办 items need no visit; the others bring the originals once (最多跑一次)."""
    return "none" if item.online else "one visit to show the originals"
