"""Cross-checks between reference files; each failure names the file and the entry."""
from __future__ import annotations

import re
from dataclasses import replace

from .errors import CatalogueError
from .model import (CASE_TYPES, MATERIAL_FORMS, PUBLIC_CATEGORY, SECTOR_KINDS, SITE_KINDS,
                    SPECIAL_PROCEDURES, STAFF_ROLES, TRUST_LEVELS, WINDOW_KINDS)

DISTRICT = "370102"  # GB/T 2260 code of 历下区
SITE_CODE = re.compile(r"^[A-Z0-9]{2,8}$")
DEPT_CODE = re.compile(r"^[A-Z]{2,6}$")
# Basic code after GB/T 39554.1 (type, main item, sub item) + district + lead department.
# staff ids: letters, digits and '-'; "svc-" is kept for the hall's own processes
STAFF_ID = re.compile(r"^(?!svc-)[A-Za-z0-9][A-Za-z0-9-]{1,31}$")
COURIER_ZONE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CITY = re.compile(r"^[^\s市]{2,6}市$")          # as an address names it: 济南市
DISTRICT_NAME = re.compile(r"^[^\s]{1,8}[区县市]$")
MAX_COURIER_FEE_FEN = 100_000
ITEM_CODE = re.compile(r"^(XK|QR|JF|ZS|JL|CJ|QT|GG)\d{5}\d{3}-" + DISTRICT + r"-(?P<dept>[A-Z]{2,6})$")


def _index(records, key, label):
    """Map records by key, refusing duplicates."""
    out = {}
    for file, entry, rec in records:
        k = getattr(rec, key)
        if k in out:
            raise CatalogueError(file, entry, f"duplicate {label} {k!r}")
        out[k] = rec
    return out


def _need(cond, file, entry, problem):
    if not cond:
        raise CatalogueError(file, entry, problem)


def check(parts: dict[str, list]) -> dict:
    """Validate the parsed records and return them indexed, ready for `Catalogue.build`."""
    sectors = _index(parts["sectors"], "name", "sector")
    _index(parts["sectors"], "code", "sector code")
    for f, e, s in parts["sectors"]:
        _need(s.kind in SECTOR_KINDS, f, e, f"unknown sector kind {s.kind!r}")

    sites = _index(parts["sites"], "code", "site code")
    for f, e, s in parts["sites"]:
        _need(SITE_CODE.match(s.code), f, e, "site code must be 2-8 uppercase letters/digits")
        _need(s.kind in SITE_KINDS, f, e, f"unknown site kind {s.kind!r}")

    depts = _index(parts["departments"], "code", "department code")
    for f, e, d in parts["departments"]:
        _need(DEPT_CODE.match(d.code), f, e, "department code must be 2-6 uppercase letters")
        _need(d.sector in sectors, f, e, f"unknown sector {d.sector!r}")
        _need(d.site in sites, f, e, f"unknown site {d.site!r}")
        depts[d.code] = replace(d, delegated=sectors[d.sector].kind == "comprehensive")

    licences = _index(parts["licence_types"], "code", "licence type code")
    for f, e, t in parts["licence_types"]:
        _need(t.trust_level in TRUST_LEVELS, f, e, f"unknown trust level {t.trust_level!r}")
        _need(0 <= t.validity_years <= 50, f, e, f"validity_years must be 0 (no end) to 50, not {t.validity_years}")
        _need(t.department is None or t.department in depts, f, e,
              f"unknown department {t.department!r}")

    items = _index(parts["items"], "code", "item code")
    for f, e, i in parts["items"]:
        _check_item(f, e, i, sectors, depts, licences)

    windows = _index(parts["windows"], "id", "window id")
    for f, e, w in parts["windows"]:
        _check_window(f, e, w, sites, sectors, items)

    letters = _index(parts["delegations"], "id", "delegation id")
    for f, e, d in parts["delegations"]:
        _need(d.department in depts, f, e, f"unknown department {d.department!r}")
        _need(depts[d.department].delegated, f, e,
              f"department {d.department} accepts at its own windows and does not delegate")
        _need(d.valid_from <= d.valid_to, f, e, "valid_from is after valid_to")
        for code in d.items or ():
            _need(code in items, f, e, f"unknown item {code!r}")
            _need(d.department in items[code].departments, f, e,
                  f"item {code} is not an item of {d.department}")

    staff = _index(parts["staff"], "staff_id", "staff id")
    chiefs = {d.chief.staff_id: d for d in depts.values() if d.chief.staff_id}
    for f, e, m in parts["staff"]:
        _check_staff(f, e, m, sites, depts, sectors, windows, chiefs)

    zones = _index(parts.get("courier_zones", []), "zone", "courier zone")
    covered: dict[tuple[str, str], str] = {}
    for f, e, z in parts.get("courier_zones", []):
        _check_courier_zone(f, e, z, covered)

    return dict(sectors=sectors, sites=sites, departments=depts, licence_types=licences,
                items=items, windows=windows, delegations=tuple(letters.values()), staff=staff,
                courier_zones=zones)


def _check_courier_zone(f, e, z, covered):
    _need(COURIER_ZONE.match(z.zone), f, e, "zone must be lowercase letters, digits or '_'")
    _need(CITY.match(z.city), f, e, f"city {z.city!r} must be a city's full name ending in 市")
    _need(0 <= z.fee_fen <= MAX_COURIER_FEE_FEN, f, e,
          f"fee_fen must be 0 to {MAX_COURIER_FEE_FEN} (fen), not {z.fee_fen}")
    _need(z.districts, f, e, "no district")
    for d in z.districts:
        _need(DISTRICT_NAME.match(d), f, e, f"district {d!r} must be a full name ending in 区, 县 or 市")
        other = covered.setdefault((z.city, d), z.zone)
        _need(other == z.zone and z.districts.count(d) == 1, f, e,
              f"district {z.city}{d} is already in zone {other}")


def _check_item(f, e, i, sectors, depts, licences):
    m = ITEM_CODE.match(i.code)
    _need(m, f, e, "item code must read TTNNNNNSSS-370102-DEPT (see docs/reference-data.md)")
    _need(i.departments, f, e, "no department")
    for code in i.departments:
        _need(code in depts, f, e, f"unknown department {code!r}")
    _need(len(set(i.departments)) == len(i.departments), f, e, "department listed twice")
    _need(m["dept"] == i.lead, f, e, f"code names {m['dept']} but the lead department is {i.lead}")
    _need(i.sector in sectors, f, e, f"unknown sector {i.sector!r}")
    _need(i.sector == depts[i.lead].sector, f, e,
          f"sector {i.sector} differs from the lead department's {depts[i.lead].sector}")
    _need(i.case_type in CASE_TYPES, f, e, f"unknown case type {i.case_type!r}")
    _need(i.legal_limit >= 0 and i.promised_limit >= 0, f, e, "negative time limit")
    _need(i.promised_limit <= i.legal_limit, f, e,
          f"promised limit {i.promised_limit} is above the legal limit {i.legal_limit}")
    _need(i.case_type != "即办件" or i.promised_limit == 0, f, e, "即办件 must promise 0 days")
    _need(i.case_type != "联办件" or len(i.departments) > 1, f, e, "联办件 needs 2+ departments")
    for p in i.special_procedures:
        _need(p in SPECIAL_PROCEDURES, f, e, f"unknown special procedure {p!r}")
    _need(i.materials, f, e, "empty materials checklist")
    for mat in i.materials:
        where = f"material {mat.name!r}"
        _need(mat.form in MATERIAL_FORMS, f, e, f"{where}: unknown form {mat.form!r}")
        _need(mat.count >= 1, f, e, f"{where}: count must be at least 1")
        _need(mat.licence_type is None or mat.licence_type in licences, f, e,
              f"{where}: unknown e-licence type {mat.licence_type!r}")
    for fee in i.fees:
        _need(fee.amount >= 0, f, e, f"fee {fee.name!r} is negative")
    _need(i.licence_type is None or i.licence_type in licences, f, e,
          f"unknown e-licence type {i.licence_type!r}")


def _check_window(f, e, w, sites, sectors, items):
    _need(w.site in sites, f, e, f"unknown site {w.site!r}")
    _need(w.id.startswith(w.site + "-"), f, e, f"window id must start with its site {w.site}-")
    _need(w.kind in WINDOW_KINDS, f, e, f"unknown window kind {w.kind!r}")
    for s in w.sectors:
        _need(s in sectors, f, e, f"unknown sector {s!r}")
    for code in w.items:
        _need(code in items, f, e, f"unknown item {code!r}")
    if w.kind == "front":
        _need(w.sectors, f, e, "a front window must accept at least one sector")
        _need(w.category in sectors or w.category == PUBLIC_CATEGORY, f, e,
              f"unknown window category {w.category!r}")


def _check_staff(f, e, m, sites, depts, sectors, windows, chiefs):
    _need(STAFF_ID.match(m.staff_id), f, e,
          "staff id must be 2-32 letters, digits or '-' and not start with svc-")
    _need(m.roles, f, e, "no role")
    for role in m.roles:
        _need(role in STAFF_ROLES, f, e, f"unknown role {role!r} (known: {', '.join(STAFF_ROLES)})")
    _need(len(set(m.roles)) == len(m.roles), f, e, "role listed twice")
    _need(m.site in sites, f, e, f"unknown site {m.site!r}")
    _need(not m.department or m.department in depts, f, e, f"unknown department {m.department!r}")
    if {"reviewer", "chief"} & set(m.roles):
        _need(m.department, f, e, "a reviewer or chief representative needs a department")
        _need(depts[m.department].site == m.site, f, e,
              f"department {m.department} sits at {depts[m.department].site}, not {m.site}")
    chief_of = chiefs.get(m.staff_id)
    if "chief" in m.roles:
        _need(chief_of is not None and chief_of.code == m.department, f, e,
              f"departments.yaml does not name {m.staff_id} chief representative of {m.department}")
    if chief_of is not None:
        _need("chief" in m.roles and m.department == chief_of.code, f, e,
              f"{m.staff_id} is the chief representative of {chief_of.code} in departments.yaml")
        _need(m.name == chief_of.chief.name, f, e,
              f"departments.yaml names the chief of {chief_of.code} {chief_of.chief.name}, not {m.name}")
    for s in m.sectors:
        _need(s in sectors, f, e, f"unknown sector {s!r}")
    _need(not m.sectors or "clerk" in m.roles, f, e, "only a clerk is trained for sectors")
    for wid in m.windows:
        w = windows.get(wid)
        _need(w is not None, f, e, f"unknown window {wid!r}")
        _need(w.site == m.site, f, e, f"window {wid} is at {w.site}, not at {m.site}")
        needs = "issuer" if w.kind == "issuance" else "clerk"
        _need(needs in m.roles, f, e, f"window {wid} ({w.kind}) is for a {needs}")
        missing = [s for s in w.sectors if s not in m.sectors]
        _need(not missing, f, e, f"window {wid} takes {', '.join(missing)}, which {m.staff_id} "
                                 f"is not trained for")
