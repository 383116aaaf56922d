"""A whole catalogue as plain JSON-ready data, and the catalogue rebuilt from it.

The routing service keeps one snapshot per version (so every version ever loaded survives a
restart) and serves it to the other services, which rebuild the same `Catalogue` without
reading the reference files. A rebuilt catalogue passes the load-time cross-checks again.
"""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from .catalogue import Catalogue
from .errors import CatalogueError
from .model import (CourierZone, Delegation, Department, Fee, Item, LicenceType, Material, Person, Sector,
                    Site, StaffSeed, Window)
from .validate import check
from hall.domain.workdays import YearRule

SCHEMA = 1
# section -> (the record's key field, how to rebuild one record from its plain form)
SECTIONS: dict[str, tuple[str, Callable[[dict], Any]]] = {}
# sections added after schema 1 was first stored: an older snapshot without one has none
OPTIONAL = ("staff", "courier_zones")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def to_snapshot(cat: Catalogue) -> dict:
    """Every record of the catalogue as lists of plain dicts (str, int, bool, None, lists)."""
    out = {"schema": SCHEMA, "version": cat.version, "root": cat.root}
    for section in SECTIONS:
        records = getattr(cat, section)
        out[section] = [_plain(r) for r in (records.values() if hasattr(records, "values") else records)]
    out["calendar"] = [{"year": r.year, "holidays": sorted(d.isoformat() for d in r.holidays),
                        "workdays": sorted(d.isoformat() for d in r.workdays), "source": r.source}
                       for r in cat.calendar_rules]
    return out


def _year_rule(where: str, raw) -> YearRule:
    try:
        return YearRule(int(raw["year"]), frozenset(map(date.fromisoformat, raw["holidays"])),
                        frozenset(map(date.fromisoformat, raw["workdays"])), str(raw["source"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(where, "calendar", f"a calendar year is damaged: {exc}") from None


def _department(d: dict) -> Department:
    return Department(**{**d, "chief": Person(**d["chief"]), "contact": Person(**d["contact"])})


def _window(d: dict) -> Window:
    return Window(**{**d, "sectors": tuple(d["sectors"]), "items": tuple(d["items"])})


def _delegation(d: dict) -> Delegation:
    return Delegation(**{**d, "items": None if d["items"] is None else tuple(d["items"]),
                         "valid_from": date.fromisoformat(d["valid_from"]),
                         "valid_to": date.fromisoformat(d["valid_to"]),
                         "signed_on": date.fromisoformat(d["signed_on"])})


def _item(d: dict) -> Item:
    return Item(**{**d, "departments": tuple(d["departments"]),
                   "special_procedures": tuple(d["special_procedures"]),
                   "materials": tuple(Material(**m) for m in d["materials"]),
                   "fees": tuple(Fee(**{**f, "amount": Decimal(f["amount"])}) for f in d["fees"])})


def _staff(d: dict) -> StaffSeed:
    return StaffSeed(**{**d, "roles": tuple(d["roles"]), "sectors": tuple(d["sectors"]),
                        "windows": tuple(d["windows"])})


SECTIONS.update({
    "sectors": ("name", lambda d: Sector(**d)),
    "sites": ("code", lambda d: Site(**d)),
    "departments": ("code", _department),
    "licence_types": ("code", lambda d: LicenceType(**d)),
    "windows": ("id", _window),
    "delegations": ("id", _delegation),
    "items": ("code", _item),
    "staff": ("staff_id", _staff),
    "courier_zones": ("zone", lambda d: CourierZone(**{**d, "districts": tuple(d["districts"])})),
})


def from_snapshot(snapshot: dict) -> Catalogue:
    """Rebuild the catalogue of a snapshot; a damaged snapshot raises `CatalogueError`."""
    version = snapshot.get("version") if isinstance(snapshot, dict) else None
    where = f"snapshot {version or '?'}"
    if not isinstance(version, str) or snapshot.get("schema") != SCHEMA:
        raise CatalogueError(where, "-", f"not a catalogue snapshot of schema {SCHEMA}")
    parts = {}
    for section, (key, build) in SECTIONS.items():
        records = snapshot.get(section, [] if section in OPTIONAL else None)
        if not isinstance(records, list):
            raise CatalogueError(where, section, "section missing")
        parts[section] = [_record(where, section, i, key, build, raw) for i, raw in enumerate(records)]
    rules = tuple(_year_rule(where, r) for r in snapshot.get("calendar", []))
    return Catalogue.build(version=version, root=snapshot.get("root", ""), calendar_rules=rules, **check(parts))


def _record(where: str, section: str, index: int, key: str, build, raw) -> tuple[str, str, Any]:
    entry = f"{section} {raw.get(key) if isinstance(raw, dict) else '#' + str(index + 1)}"
    try:
        return where, entry, build(raw)
    except (TypeError, KeyError, ValueError, ArithmeticError) as exc:
        raise CatalogueError(where, entry, f"damaged record: {exc}") from None
