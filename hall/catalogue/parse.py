"""Turning checked entries into records; cross-references are checked later in `validate`."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from .fields import Entry
from .model import (CourierZone, Delegation, Department, Fee, Item, LicenceType, Material, Person, SIBIAN,
                    Sector, Site, StaffSeed, Window)


def sector(e: Entry) -> Sector:
    return Sector(name=e.get("name", str), code=e.get("code", str), kind=e.get("kind", str))


def site(e: Entry) -> Site:
    return Site(code=e.get("code", str), name=e.get("name", str), kind=e.get("kind", str),
                address=e.get("address", str), phone=e.get("phone", str, ""))


def _person(e: Entry, field: str, phone_required: bool) -> Person:
    raw = e.get(field, dict)
    sub = Entry(e.file, raw, 0, "name")
    sub.name = f"{e.name}.{field}"
    person = Person(staff_id=sub.get("staff_id", str, ""), name=sub.get("name", str),
                    phone=sub.get("phone", str) if phone_required else sub.get("phone", str, ""))
    sub.done()
    return person


def department(e: Entry) -> Department:
    return Department(code=e.get("code", str), name=e.get("name", str),
                      sector=e.get("sector", str), site=e.get("site", str),
                      chief=_person(e, "chief", False), contact=_person(e, "contact", True),
                      delegated=False)


def licence_type(e: Entry) -> LicenceType:
    return LicenceType(code=e.get("code", str), name=e.get("name", str),
                       issuer=e.get("issuer", str), department=e.get("department", str, None),
                       trust_level=e.get("trust_level", str),
                       validity_years=e.get("validity_years", int, 0))


def _material(e: Entry, raw, index: int) -> Material:
    m = Entry(e.file, raw, index, "name")
    m.name = f"{e.name} material {m.name}"
    material = Material(name=m.get("name", str), form=m.get("form", str),
                        count=m.get("count", int, 1), condition=m.get("condition", str, None),
                        licence_type=m.get("licence_type", str, None))
    m.done()
    return material


def _fee(e: Entry, raw, index: int) -> Fee:
    f = Entry(e.file, raw, index, "name")
    f.name = f"{e.name} fee {f.name}"
    fee = Fee(name=f.get("name", str), amount=f.get("amount", Decimal), basis=f.get("basis", str, ""))
    f.done()
    return fee


def item(e: Entry) -> Item:
    sibian = e.strings("sibian", ())
    for flag in sibian:
        if flag not in SIBIAN:
            e.fail(f"unknown 四办 flag {flag!r} (known: {', '.join(SIBIAN)})")
    materials = tuple(_material(e, raw, i) for i, raw in enumerate(e.get("materials", list)))
    fees = tuple(_fee(e, raw, i) for i, raw in enumerate(e.get("fees", list, [])))
    return Item(
        code=e.get("code", str), name=e.get("name", str),
        departments=e.strings("departments"), sector=e.get("sector", str),
        case_type=e.get("case_type", str), legal_limit=e.get("legal_limit", int),
        promised_limit=e.get("promised_limit", int),
        special_procedures=e.strings("special_procedures", ()), materials=materials, fees=fees,
        online="网上办" in sibian, one_trip="一次办" in sibian, agency="我来办" in sibian,
        self_service="自助办" in sibian,
        street_allowed=e.get("street_allowed", bool, False),
        courier_allowed=e.get("courier_allowed", bool, True),
        classified=e.get("classified", bool, False),
        licence_type=e.get("licence_type", str, None), basis=e.get("basis", str, ""))


def window(e: Entry) -> Window:
    return Window(id=e.get("id", str), site=e.get("site", str), kind=e.get("kind", str),
                  category=e.get("category", str, None), sectors=e.strings("sectors", ()),
                  items=e.strings("items", ()))


def delegation(e: Entry) -> Delegation:
    # "items: all" delegates every item of the department, present and future.
    covered = None if e.raw.get("items") == "all" else e.strings("items")
    e.seen.add("items")
    return Delegation(id=e.get("id", str), department=e.get("department", str), items=covered,
                      valid_from=e.get("valid_from", date), valid_to=e.get("valid_to", date),
                      signed_by=e.get("signed_by", str), signed_on=e.get("signed_on", date))


def staff_member(e: Entry) -> StaffSeed:
    return StaffSeed(staff_id=e.get("staff_id", str), name=e.get("name", str),
                     roles=e.strings("roles"), site=e.get("site", str),
                     department=e.get("department", str, ""),
                     sectors=e.strings("sectors", ()), windows=e.strings("windows", ()))


def courier_zone(e: Entry) -> CourierZone:
    return CourierZone(zone=e.get("zone", str), city=e.get("city", str), fee_fen=e.get("fee_fen", int),
                       districts=e.strings("districts"))
