"""Routing's service layer: route an accepted case, route a held case the supervisor sent on,
and — as the catalogue's owner — put the reference files' catalogue in force and answer which
version, item, window or letter a question is about. Plain functions: the routes over a
UnitOfWork, the catalogue over its versions repository and the reference files."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from hall.catalogue import Catalogue, CatalogueError, Delegation, Item, Window
from hall.catalogue.handbook import render_sector
from hall.domain import routing
from hall.domain.errors import InvalidArgument, NotFound, Refused
from hall.domain.events import Event
from hall.domain.identity import SYSTEM, Actor
from hall.domain.ports import UnitOfWork
from hall.domain.routing_store import CatalogueVersions

log = logging.getLogger(__name__)


# --- routing cases ------------------------------------------------------------------------------

def route_case(uow: UnitOfWork, accepted: Event) -> bool:
    """Send an accepted case to its responsible department(s), or hold it; once per event."""
    professional = routing.professional_departments(uow.catalogue.current)
    return uow.repo.record(accepted.id, routing.route(accepted, uow.now(), professional))


def route_dispatched_case(uow: UnitOfWork, dispatched: Event) -> bool:
    """Route a held case to the departments the supervision office sent it to, once."""
    held = uow.repo.held(dispatched.case_no)
    if held is None:
        log.warning("dispatch of %s ignored: routing never held it", dispatched.case_no)
        return False
    professional = routing.professional_departments(uow.catalogue.current)
    return uow.repo.record(dispatched.id, routing.dispatch_held(held, dispatched, professional))


# --- keeping the catalogue ----------------------------------------------------------------------

@dataclass(frozen=True)
class Reloaded:
    catalogue: Catalogue
    previous: str | None
    changed: bool


def reload_catalogue(versions: CatalogueVersions, files, actor: Actor, now: datetime) -> Reloaded:
    """Read the reference files and put their catalogue in force, keeping the version for good.
    Invalid files raise Refused naming the file and entry; the version in force stays."""
    try:
        read = files.read()
    except CatalogueError as exc:
        previous = versions.current.version if versions.current else None
        versions.record_attempt(now, actor, "refused", None, previous, str(exc))
        stays = f"; catalogue {previous} stays in force" if previous else ""
        raise Refused(f"the reference files were not loaded: {exc}{stays}") from None
    versions.save_version(read, now, actor)
    cat, previous = versions.put_in_force(read)
    versions.record_attempt(now, actor, "loaded", cat.version, previous)
    if cat.version != previous:
        log.info("catalogue %s in force (was %s), by %s", cat.version, previous, actor.staff_id)
    return Reloaded(cat, previous, cat.version != previous)


def start_catalogue(versions: CatalogueVersions, files, now: datetime) -> Catalogue:
    """Put the files' catalogue in force at start; if they are invalid, the version last in
    force stays in force; with neither, the service cannot start."""
    try:
        return reload_catalogue(versions, files, SYSTEM, now).catalogue
    except Refused as refusal:
        fallback = versions.last_in_force()
        cat = versions.get(fallback) if fallback else None
        if cat is None:
            raise SystemExit(f"no valid catalogue to start with: {refusal}") from None
        log.error("%s; starting with catalogue %s", refusal, fallback)
        return versions.put_in_force(cat)[0]


def reload_changed_files(versions: CatalogueVersions, files, now: datetime) -> Catalogue | None:
    """The files changed on disk: reload them as the system; a refusal is logged, not raised."""
    try:
        return reload_catalogue(versions, files, SYSTEM, now).catalogue
    except Refused as refusal:
        log.error("%s", refusal)
        return None


# --- reading the catalogue ----------------------------------------------------------------------

def catalogue_at(versions: CatalogueVersions, version: str) -> Catalogue:
    """The version asked for ('' : the one in force)."""
    if len(version) > 64:
        raise InvalidArgument("version must be at most 64 characters")
    if not version:
        return versions.current
    cat = versions.get(version)
    if cat is None:
        raise NotFound(f"no catalogue version {version!r} was ever loaded")
    return cat


def version_in_force(versions: CatalogueVersions) -> tuple[dict, str]:
    """The record of the version in force, and that version."""
    current = versions.current.version
    return versions.version_record(current), current


def item(cat: Catalogue, code: str) -> Item:
    found = cat.item(code)
    if found is None:
        raise NotFound(f"no item {code[:64]!r} in catalogue version {cat.version}")
    return found


def items(cat: Catalogue, sector: str = "", department: str = "", site: str = "",
          window: str = "") -> list[Item]:
    """Items by sector, department, site or window; the filters combine."""
    found = sorted(cat.items.values(), key=lambda i: i.code)
    if sector:
        _known(cat.sector(sector), "sector", sector)
        found = [i for i in found if i.sector == sector]
    if department:
        _known(cat.department(department), "department", department)
        found = [i for i in found if department in i.departments]
    if site:
        _known(cat.site(site), "site", site)
        found = [i for i in found if cat.windows_accepting(site, i.code)]
    if window:
        w = _known(cat.windows.get(window), "window", window)
        found = [i for i in found if w in cat.windows_accepting(w.site, i.code)]
    return found


def departments(cat: Catalogue, sector: str = "") -> list:
    """Departments, optionally of one sector."""
    if sector:
        _known(cat.sector(sector), "sector", sector)
    return [d for d in cat.departments.values() if not sector or d.sector == sector]


def windows(cat: Catalogue, site: str, item_code: str = "") -> list[Window]:
    """A site's windows; with an item, the front windows that may accept it."""
    _known(cat.site(site), "site", site)
    if not item_code:
        return cat.windows_at(site)
    _known(cat.item(item_code), "item", item_code)
    return cat.windows_accepting(site, item_code)


def delegations(cat: Catalogue, day: date, department: str = "", item_code: str = "") -> list[Delegation]:
    """Delegation letters (委托授权书) in force on a day, of a department or covering an item."""
    if department:
        _known(cat.department(department), "department", department)
    it = _known(cat.item(item_code), "item", item_code) if item_code else None
    return [d for d in cat.delegations
            if d.valid_from <= day <= d.valid_to
            and (not department or d.department == department)
            and (it is None or d.department in it.departments and d.covers(it.code, day))]


def handbook(cat: Catalogue, sector: str) -> str:
    """The printable acceptance handbook of one sector, as HTML."""
    try:
        return render_sector(cat, sector)
    except ValueError:
        raise InvalidArgument(f"unknown sector {sector[:64]!r}") from None


def _known(found, what: str, code: str):
    if found is None:
        raise InvalidArgument(f"unknown {what} {code[:64]!r}")
    return found
