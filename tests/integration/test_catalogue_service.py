"""Front ends read the reference data that routing-api serves, through the gateway."""
from __future__ import annotations

from datetime import date, datetime

import grpc
import pytest

from hall.domain.clock import SHANGHAI
from hall.v1 import catalogue_pb2 as pb, catalogue_pb2_grpc

FOOD = "XK00401001-370102-SYJ"        # 食品经营许可(新办): 现场勘验, conditional material, e-licences
PROPERTY = "QR02601000-370102-GTFJ"   # 不动产登记: two fees


class CatalogueReader:
    """The gateway's HallCatalogue, called as one member of staff."""

    def __init__(self, client):
        self.stub = catalogue_pb2_grpc.HallCatalogueStub(client.channel)
        self.metadata = client.metadata

    def __getattr__(self, method):
        call = getattr(self.stub, method)
        return lambda request: call(request, metadata=self.metadata, timeout=10)


def reader(hall, role="clerk", **kw) -> CatalogueReader:
    return CatalogueReader(hall.client(role, **kw))


def rpc_error(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value


def test_any_member_of_staff_reads_an_item_with_materials_fees_flags_procedures_and_limits(hall, catalogue):
    food = reader(hall, "reviewer", department="SCJG").GetCatalogueItem(pb.GetCatalogueItemRequest(code=FOOD))
    want = catalogue.item(FOOD)
    assert (food.name, list(food.departments), food.sector, food.case_type) == \
        (want.name, list(want.departments), want.sector, want.case_type)
    assert (food.legal_limit, food.promised_limit) == (want.legal_limit, want.promised_limit)
    assert list(food.special_procedures) == ["现场勘验"] and list(food.sibian) == list(want.sibian)
    assert [(m.name, m.form, m.count, m.required, m.condition or None, m.licence_type or None)
            for m in food.materials] == \
        [(m.name, m.form, m.count, m.required, m.condition, m.licence_type) for m in want.materials]
    assert any(not m.required and m.condition for m in food.materials)
    assert food.catalogue_version == catalogue.version and food.licence_type == "SPJY"
    fees = reader(hall, "issuer").GetCatalogueItem(pb.GetCatalogueItemRequest(code=PROPERTY)).fees
    assert [(f.name, f.amount) for f in fees] == [(f.name, str(f.amount)) for f in catalogue.item(PROPERTY).fees]


def test_items_are_listed_by_sector_department_and_by_what_a_site_or_window_may_accept(hall, catalogue):
    r = reader(hall)
    codes = lambda **q: [i.code for i in r.ListCatalogueItems(pb.ListCatalogueItemsRequest(**q)).items]
    assert codes(sector="商事登记") == [i.code for i in catalogue.items_in("商事登记")]
    assert set(codes(department="SYJ")) == {i.code for i in catalogue.items_of("SYJ")}
    street = codes(site="LX03")
    assert street and set(street) == {c for c in catalogue.items if catalogue.windows_accepting("LX03", c)}
    assert all(catalogue.item(c).street_allowed and not catalogue.item(c).classified for c in street)
    assert not any(catalogue.item(c).classified for c in codes(site="LX00"))
    w01 = set(codes(window="LX00-W01"))
    assert FOOD in w01 and all(catalogue.item(c).sector == "经济发展" for c in w01)


def test_the_district_hall_has_the_plans_windows_and_the_windows_that_take_an_item_are_found(hall, catalogue):
    r = reader(hall)
    windows = r.ListWindows(pb.ListCatalogueWindowsRequest(site="LX00")).windows
    kinds = [w.kind for w in windows]
    assert (kinds.count("front"), kinds.count("issuance"), kinds.count("consultation")) == (40, 4, 4)
    taking = r.ListWindows(pb.ListCatalogueWindowsRequest(site="LX00", item_code=FOOD)).windows
    assert [w.id for w in taking] == [w.id for w in catalogue.windows_accepting("LX00", FOOD)]
    assert {w.id for w in taking} >= {"LX00-W01", "LX00-W29"} and "LX00-W09" not in {w.id for w in taking}


def test_sites_and_departments_come_with_codes_chief_representatives_and_contacts(hall, catalogue):
    r = reader(hall, "supervisor")
    sites = r.ListSites(pb.ListCatalogueSitesRequest()).sites
    assert [s.code for s in sites] == list(catalogue.sites) and len(sites) == 17
    assert [s.kind for s in sites].count("street") == 14
    departments = r.ListDepartments(pb.ListCatalogueDepartmentsRequest()).departments
    assert len(departments) == 26 and all(d.chief.name and d.contact.phone for d in departments)
    economic = r.ListDepartments(pb.ListCatalogueDepartmentsRequest(sector="经济发展")).departments
    assert len(economic) == 7 and all(d.delegated for d in economic)


def test_the_delegation_letters_in_force_are_listed_by_day_department_and_item(hall, catalogue):
    r = reader(hall)
    today = datetime.now(SHANGHAI).date()
    letters = r.ListDelegations(pb.ListCatalogueDelegationsRequest()).delegations
    assert {d.id for d in letters} == {d.id for d in catalogue.delegations if d.valid_from <= today <= d.valid_to}
    assert all(d.valid_from <= today.isoformat() <= d.valid_to and d.signed_by for d in letters)
    food = r.ListDelegations(pb.ListCatalogueDelegationsRequest(item_code=FOOD)).delegations
    assert [d.id for d in food] == [catalogue.delegation_for(FOOD, today).id]
    long_ago = r.ListDelegations(pb.ListCatalogueDelegationsRequest(on_date="1999-01-01")).delegations
    assert list(long_ago) == [] and not any(d.covers(FOOD, date(1999, 1, 1)) for d in catalogue.delegations)


def test_a_sectors_acceptance_handbook_is_served_as_printable_html(hall, catalogue):
    book = reader(hall).GetHandbook(pb.GetHandbookRequest(sector="JJFZ"))
    assert book.html.startswith("<!DOCTYPE html>") and "受理材料标准化手册" in book.html
    assert catalogue.item(FOOD).name in book.html and book.catalogue_version == catalogue.version


def test_the_version_in_force_is_reported_with_when_and_by_whom_it_was_loaded(hall, catalogue):
    v = reader(hall).GetCatalogueVersion(pb.GetCatalogueVersionRequest())
    assert (v.version, v.items, v.current, v.loaded_by) == (catalogue.version, 113, True, "system")
    assert v.loaded_at


def test_reading_the_catalogue_needs_a_signed_in_member_of_staff(hall):
    stub = catalogue_pb2_grpc.HallCatalogueStub(hall.channel)
    err = rpc_error(lambda: stub.ListSites(pb.ListCatalogueSitesRequest(), timeout=10))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED


def test_unknown_items_sites_sectors_and_versions_are_clear_errors(hall):
    r = reader(hall)
    err = rpc_error(lambda: r.GetCatalogueItem(pb.GetCatalogueItemRequest(code="XK99999999-370102-SYJ")))
    assert err.code() == grpc.StatusCode.NOT_FOUND and "XK99999999-370102-SYJ" in err.details()
    err = rpc_error(lambda: r.ListWindows(pb.ListCatalogueWindowsRequest(site="LX99")))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "unknown site 'LX99'" in err.details()
    err = rpc_error(lambda: r.GetHandbook(pb.GetHandbookRequest(sector="nonsense")))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "unknown sector" in err.details()
    err = rpc_error(lambda: r.GetCatalogueItem(pb.GetCatalogueItemRequest(code=FOOD, version="0123456789ab")))
    assert err.code() == grpc.StatusCode.NOT_FOUND and "0123456789ab" in err.details()
    err = rpc_error(lambda: r.ListDelegations(pb.ListCatalogueDelegationsRequest(on_date="yesterday")))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "yyyy-mm-dd" in err.details()
