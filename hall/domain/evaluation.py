"""好差评 (GB/T 39734-2020): the applicant rates a visit or a case on five levels, with an
optional comment. A bad rating (不满意, 非常不满意) opens a follow-up with a fix deadline in
working days, owned by the responsible department's chief representative. Ratings link to the
queue ticket, the window, the member of staff and the case.
"""
from __future__ import annotations

from datetime import date, datetime

from .errors import AlreadyDone, InvalidArgument, NotFound
from . import identity
from .identity import Actor, require_role

LEVELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
BAD = (1, 2)
CHANNELS = ("window", "online", "phone")


def rating_id(case_no: str, ticket: str) -> str:
    """One rating per visit (ticket) and one per case: a repeated submission is refused."""
    return f"{case_no or '-'}/{ticket or '-'}"


def rate(actor: Actor, level: int, comment: str, case_no: str, ticket: str, window: str,
         staff: str, channel: str, record: dict | None, now: datetime) -> dict:
    """A rating as given at the window's evaluation pad (or online), checked and linked."""
    require_role(actor, "clerk", "issuer", "admin", action="recording a rating")
    if level not in LEVELS:
        raise InvalidArgument("level must be 1 (非常不满意) to 5 (非常满意)")
    if not case_no and not ticket:
        raise InvalidArgument("a rating names the case or the queue ticket it is about")
    if len(comment or "") > 500:
        raise InvalidArgument("the comment is at most 500 characters")
    for name, value in (("case_no", case_no), ("ticket", ticket), ("window", window), ("staff", staff)):
        if len(value or "") > 40:
            raise InvalidArgument(f"{name} is at most 40 characters")
    channel = channel or "window"
    if channel not in CHANNELS:
        raise InvalidArgument(f"channel must be one of {', '.join(CHANNELS)}")
    if case_no and record is None:
        raise NotFound(f"there is no case numbered {case_no!r} to rate")
    record = record or {}
    staff = staff or (actor.staff_id if actor.role in ("clerk", "issuer") else record.get("staff", ""))
    return {"_id": rating_id(case_no, ticket), "case_no": case_no, "ticket": ticket or record.get("ticket", ""),
            "window": window or record.get("window", ""), "staff": staff,
            "site": record.get("site") or actor.site, "department": record.get("lead", ""),
            "item_code": record.get("item_code", ""), "level": level, "label": LEVELS[level],
            "comment": (comment or "").strip(), "channel": channel, "rated_at": now,
            "rated_on": now.date().isoformat(), "recorded_by": actor.to_dict(), "bad": level in BAD}


def follow_up(rating: dict, fix_due: date, now: datetime) -> dict | None:
    """The follow-up (整改) a bad rating opens, due `fix_due`; None for a good rating."""
    if not rating["bad"]:
        return None
    return {"_id": rating["_id"], "case_no": rating["case_no"], "ticket": rating["ticket"],
            "department": rating["department"], "site": rating["site"], "window": rating["window"],
            "staff": rating["staff"], "level": rating["level"], "comment": rating["comment"],
            "opened_at": now, "fix_due": fix_due.isoformat(), "status": "open", "resolved": None}


def resolve(follow: dict, actor: Actor, note: str, now: datetime) -> dict:
    """The fix is done and the applicant called back: the changes that close the follow-up."""
    identity.may_resolve_follow_up(actor, follow["department"])
    note = (note or "").strip()
    if not note or len(note) > 1000:
        raise InvalidArgument("say how it was fixed (a note of 1 to 1000 characters)")
    if follow["status"] == "resolved":
        raise AlreadyDone(f"follow-up {follow['_id']} was already resolved")
    late = now.date().isoformat() > follow["fix_due"]
    return {"status": "resolved", "resolved": {"by": actor.to_dict(), "at": now, "note": note, "late": late}}
