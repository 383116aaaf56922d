"""Routing's proto <-> domain mapping: catalogue records as the messages of catalogue.proto,
and the few request fields that need decoding (the edge only)."""
from __future__ import annotations

import json
from datetime import date, datetime

from hall.catalogue import Catalogue, Delegation, Department, Item, Person, Site, Window, to_snapshot
from hall.domain.clock import SHANGHAI
from hall.domain.errors import InvalidArgument
from hall.v1 import catalogue_pb2 as pb


def day(text: str) -> date:
    """A request's yyyy-mm-dd date; today (Asia/Shanghai) when empty."""
    if not text:
        return datetime.now(SHANGHAI).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"on_date must be a date yyyy-mm-dd, got {text[:40]!r}") from None


def item(i: Item, version: str) -> pb.CatalogueItem:
    return pb.CatalogueItem(
        code=i.code, name=i.name, departments=i.departments, sector=i.sector,
        case_type=i.case_type, legal_limit=i.legal_limit, promised_limit=i.promised_limit,
        special_procedures=i.special_procedures,
        materials=[pb.CatalogueMaterial(name=m.name, form=m.form, count=m.count,
                                        required=m.required, condition=m.condition or "",
                                        licence_type=m.licence_type or "") for m in i.materials],
        fees=[pb.CatalogueFee(name=f.name, amount=str(f.amount), basis=f.basis) for f in i.fees],
        sibian=i.sibian, street_allowed=i.street_allowed, courier_allowed=i.courier_allowed,
        classified=i.classified, licence_type=i.licence_type or "", basis=i.basis,
        catalogue_version=version)


def site(s: Site) -> pb.CatalogueSite:
    return pb.CatalogueSite(code=s.code, name=s.name, kind=s.kind, address=s.address, phone=s.phone)


def _person(p: Person) -> pb.CataloguePerson:
    return pb.CataloguePerson(staff_id=p.staff_id, name=p.name, phone=p.phone)


def department(d: Department) -> pb.CatalogueDepartment:
    return pb.CatalogueDepartment(code=d.code, name=d.name, sector=d.sector, site=d.site,
                                  chief=_person(d.chief), contact=_person(d.contact),
                                  delegated=d.delegated)


def window(w: Window) -> pb.CatalogueWindow:
    return pb.CatalogueWindow(id=w.id, site=w.site, kind=w.kind, category=w.category or "",
                              sectors=w.sectors, items=w.items)


def delegation(d: Delegation) -> pb.CatalogueDelegation:
    return pb.CatalogueDelegation(
        id=d.id, department=d.department, all_items=d.items is None, items=d.items or (),
        valid_from=d.valid_from.isoformat(), valid_to=d.valid_to.isoformat(),
        signed_by=d.signed_by, signed_on=d.signed_on.isoformat())


def version(doc: dict, current: str) -> pb.CatalogueVersion:
    """A stored version document (without its snapshot)."""
    return pb.CatalogueVersion(version=doc["_id"], loaded_at=doc["loaded_at"],
                               loaded_by=doc["loaded_by"]["staff_id"], items=doc["items"],
                               current=doc["_id"] == current)


def snapshot(cat: Catalogue) -> pb.CatalogueSnapshot:
    """A whole version as JSON, for the processes that rebuild the catalogue locally."""
    return pb.CatalogueSnapshot(version=cat.version,
                                snapshot_json=json.dumps(to_snapshot(cat), ensure_ascii=False))
