"""自动取号: queue tickets at a site, by sector, with a green channel and daily caps.

A ticket is taken for a sector (or for an item, which names its sector). A window calls the
next ticket of the sectors it serves: green-channel tickets first, then by the time taken.
A called ticket may be recalled, marked a no-show, transferred to another sector (keeping
its place) or finished, linking the case it led to.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import InvalidArgument, PermissionDenied, Refused, StepOutOfOrder
from .identity import Actor, require_role

PRIORITIES = {"": 0, "elderly": 1, "disabled": 1, "key_project": 1}  # 绿色通道 for all three
WARN_FRACTION = 0.9


@dataclass(frozen=True)
class Caps:
    """Daily ticket caps per sector: a default by site kind, overridden per sector."""
    by_site_kind: dict
    by_sector: dict

    def cap(self, site_kind: str, sector: str) -> int:
        return self.by_sector.get(sector, self.by_site_kind.get(site_kind, 200))


def sector_letter(sectors: list[str], sector: str) -> str:
    return "ABCDEFGHJK"[sectors.index(sector)]


def resolve_sector(cat, site, sector: str, item_code: str) -> str:
    """The sector a ticket is for: given, or the item's; it must be served at the site."""
    if site is None:
        raise InvalidArgument("the site is not one of the hall's sites")
    if item_code:
        item = cat.item(item_code)
        if item is None:
            raise InvalidArgument("unknown item code: not in the hall's service-item catalogue")
        if sector and sector != item.sector:
            raise InvalidArgument(f"{item.name} belongs to sector {item.sector}, not {sector}")
        if not cat.windows_accepting(site.code, item_code):
            raise Refused(f"{item.name} is not accepted at {site.name}")
        return item.sector
    if not sector:
        raise InvalidArgument("a ticket is for a sector or an item")
    served = {s for w in cat.windows_at(site.code) if w.kind == "front" for s in w.sectors}
    if sector not in served:
        raise InvalidArgument(f"sector {sector!r} has no window at {site.name}")
    return sector


def check_cap(taken: int, cap: int, sector: str) -> str:
    """Refuse past the cap; a warning text when few tickets are left (empty otherwise)."""
    if taken >= cap:
        raise Refused(f"today's {cap} tickets for {sector} are all taken; please come back "
                      "tomorrow or apply online (网上办)")
    left = cap - taken - 1
    if taken + 1 >= cap * WARN_FRACTION:
        return f"{sector}: only {left} ticket(s) left today (daily cap {cap})"
    return ""


def window_sectors(cat, actor: Actor, window_id: str) -> tuple[str, ...]:
    """The sectors the caller's window serves; a clerk calls only at a front window of their site."""
    require_role(actor, "clerk", action="calling tickets")
    w = cat.windows.get(window_id)
    if w is None or w.kind != "front":
        raise InvalidArgument(f"{window_id!r} is not a front window")
    if w.site != actor.site:
        raise PermissionDenied(f"window {window_id} is at {w.site}; you are signed in at {actor.site}")
    return w.sectors


def call_order(ticket: dict) -> tuple:
    return (-ticket["priority_rank"], ticket["queued_at"], ticket["_id"])


TRANSITIONS = {  # action -> statuses it may start from
    "recall": ("called",), "no_show": ("called",), "transfer": ("called",),
    "finish": ("called",),
}


def check_step(ticket: dict | None, action: str, actor: Actor) -> None:
    if ticket is None:
        raise InvalidArgument("no such ticket")
    if ticket["site"] != actor.site:
        raise PermissionDenied(f"ticket {ticket['number']} is at site {ticket['site']}")
    if ticket["status"] not in TRANSITIONS[action]:
        raise StepOutOfOrder(f"ticket {ticket['number']} is {ticket['status']}; "
                             f"{action.replace('_', '-')} needs a called ticket")


def minutes(since: str, until: str) -> float:
    return (datetime.fromisoformat(until) - datetime.fromisoformat(since)).total_seconds() / 60


def sector_stats(tickets: list[dict], sector: str, cap: int) -> dict:
    """Live counts and the average wait (taken → first called) of one sector's tickets today."""
    mine = [t for t in tickets if t["sector"] == sector]
    count = lambda *st: sum(1 for t in mine if t["status"] in st)  # noqa: E731
    waits = [minutes(t["taken_at"], t["first_called_at"]) for t in mine if t.get("first_called_at")]
    taken = sum(1 for t in tickets if t["origin"] == sector)  # transfers keep their origin's number
    return {"sector": sector, "waiting": count("waiting"),
            "priority_waiting": sum(1 for t in mine if t["status"] == "waiting" and t["priority_rank"]),
            "called": count("called"), "served": count("served"), "no_show": count("no_show"),
            "average_wait_minutes": round(sum(waits) / len(waits), 2) if waits else 0.0,
            "cap": cap, "taken": taken, "remaining": max(cap - taken, 0),
            "warning": bool(taken >= cap * WARN_FRACTION)}


BOARD_CALLS = 12  # rows of the call screen


def call_board(tickets: list[dict], sectors: list[str]) -> tuple[list[dict], list[dict]]:
    """叫号屏: each window's latest call (newest first) and the number waiting per sector.
    Only ticket numbers and windows leave here: the screen hangs over the waiting area."""
    latest: dict[str, dict] = {}
    for t in tickets:
        if t["status"] == "called" and t.get("window"):
            if t["window"] not in latest or t["called_at"] > latest[t["window"]]["called_at"]:
                latest[t["window"]] = t
    calls = sorted(latest.values(), key=lambda t: t["called_at"], reverse=True)[:BOARD_CALLS]
    return ([{"number": t["number"], "window": t["window"], "called_at": t["called_at"],
              "recalls": t.get("recalls", 0)} for t in calls],
            [{"sector": s, "waiting": sum(1 for t in tickets if t["sector"] == s and t["status"] == "waiting")}
             for s in sectors])
