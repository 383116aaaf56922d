"""Cross-checks between reference files; each failure names the file and the entry."""
from __future__ import annotations

import re
from dataclasses import replace

from .errors import CatalogueError
from .model import (CASE_TYPES, MATERIAL_FORMS, PUBLIC_CATEGORY, SECTOR_KINDS, SITE_KINDS,
                    SPECIAL_PROCEDURES, TRUST_LEVELS, WINDOW_KINDS)

DISTRICT = "370102"  # GB/T 2260 code of 历下区
SITE_CODE = re.compile(r"^[A-Z0-9]{2,8}$")
DEPT_CODE = re.compile(r"^[A-Z]{2,6}$")
# Basic code after GB/T 39554.1 (type, main item, sub item) + district + lead department.
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

    return dict(sectors=sectors, sites=sites, departments=depts, licence_types=licences,
                items=items, windows=windows, delegations=tuple(letters.values()))


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
