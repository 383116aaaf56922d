"""Catalogue records as the protobuf messages of catalogue.proto (the edge only)."""
from __future__ import annotations

from hall.catalogue import Delegation, Department, Item, Person, Site, Window
from hall.v1 import catalogue_pb2 as pb


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
