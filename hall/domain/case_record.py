"""The SLA's per-case record: each watched clock with the first day of each warning level, the
case's state and the day it next needs a look (`next_check`), so a periodic scan reads only
the cases whose day has come, by index, and never recomputes the others.

`build` makes the record from a case's facts (after an event); `restate` moves it to a later
day from the stored thresholds alone (the scan: no events, no calendar); `owed` lists the
warnings a record has reached but not yet raised.
"""
from __future__ import annotations

from datetime import date

from .case_clock import RANK, CaseFacts, Policy, deadlines_of, view, watches

OPEN_STATES = ("on_track", "due_soon", "last_day", "overdue", "paused")


def build(f: CaseFacts, cal, today: date, policy: Policy, raised: dict | None = None) -> dict:
    """The record of a case as of `today`; `raised` (warnings already sent) is carried over."""
    dl = deadlines_of(f, policy, cal, today)
    ws = watches(f, policy, cal, today, dl)
    views = [view(w, cal, today, policy) for w in ws]
    for v in views:
        v.pop("days_left")  # changes daily; readers recompute it
    decision = next(w for w in ws if w.key == "decision")
    acc = f.accepted
    record = {
        "case_no": f.case_no, "site": f.site, "item_code": f.item.get("code", ""),
        "item_name": f.item.get("name", ""), "case_type": f.item.get("case_type", ""),
        "departments": f.departments, "lead": f.lead, "joint": f.joint,
        "window": acc.get("window", ""), "ticket": acc.get("ticket") or acc.get("ticket_id", ""),
        "staff": f.staff,
        "channel": acc.get("channel", "window"), "delivery": acc.get("delivery", "pickup"),
        "accepted_on": f.accepted_on.isoformat(), "routed_on": _iso(f.routed_on),
        "decided_on": _iso(f.decided_on), "outcome": f.outcome, "issued_on": _iso(f.issued_on),
        "open": f.issued_on is None, "watches": views,
        "pauses": [{**p, "started_on": _iso(p["started_on"]), "ended_on": _iso(p["ended_on"])}
                   for p in f.pauses],
        "extensions": [{**x, "on": _iso(x["on"])} for x in f.extensions],
        "extension_days": dl.extension_days, "extension_capped": dl.extension_capped,
        "working_days": decision.clock.used_days(cal, f.decided_on) if f.decided_on else None,
        "supplements": f.supplements, "visits": f.visits,
        "raised": dict(raised or {}),
    }
    return _settle(record, today)


def restate(record: dict, today: date) -> dict:
    """The record moved to `today`: levels from the stored thresholds, then state and next check."""
    out = {**record, "watches": [dict(w) for w in record["watches"]]}
    for w in out["watches"]:
        if w["thresholds"]:
            w["status"] = level_on(w["thresholds"], today)
    return _settle(out, today)


def level_on(th: dict, today: date) -> str:
    t = today.isoformat()
    return max((lv for lv, d in th.items() if d <= t), key=RANK.get, default="on_track")


def owed(record: dict) -> list[tuple[dict, str]]:
    """(watch, level) for each warning reached and not yet raised against the current due date."""
    out = []
    for w in record["watches"]:
        if w["status"] in w["levels"] and RANK[w["status"]] > _raised_rank(record, w):
            out.append((w, w["status"]))
    return out


def mark_raised(record: dict, watch: dict, level: str) -> None:
    record["raised"][watch["key"]] = {"level": level, "due": watch["due_date"]}


def _raised_rank(record: dict, w: dict) -> int:
    r = record["raised"].get(w["key"])
    # a pause or an extension moved the due date: the warnings start over for the new date
    return RANK[r["level"]] if r and r["due"] == w["due_date"] else 0


def _settle(record: dict, today: date) -> dict:
    by = {w["key"]: w for w in record["watches"]}
    stage = by.get("issuance") if record["decided_on"] else by["decision"]
    if not record["open"]:
        record["state"] = "closed"
    else:
        record["state"] = stage["status"] if stage["status"] in OPEN_STATES else "on_track"
    record["paused"] = any(p["ended_on"] is None for p in record["pauses"])
    record["due"], record["legal_due"] = by["decision"]["due_date"], by["legal"]["due_date"]
    for key, name in (("decision", "promised"), ("legal", "legal")):
        w = by[key]
        record[f"on_time_{name}"] = None if w["done_on"] is None else w["status"] == "done"
        record[f"late_{name}"] = w["status"] in ("late", "overdue")
    record["next_check"] = next_check(record, today)
    return record


def next_check(record: dict, today: date) -> str | None:
    """The first day something worth a write changes for an open record: a warning level
    begins, or the state the gauges show changes. None when nothing can change without an
    event (closed, or every open clock paused)."""
    if not record["open"]:
        return None
    t, days = today.isoformat(), []
    stage = "issuance" if record["decided_on"] else "decision"
    for w in record["watches"]:
        for level, d in w["thresholds"].items():
            warns = level in w["levels"]
            if (d > t and (warns or w["key"] == stage)) or (d <= t and warns and RANK[level] > _raised_rank(record, w)):
                days.append(d)
    return min(days) if days else None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
