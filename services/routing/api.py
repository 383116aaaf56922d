"""Routing's gRPC API (routing-api): the hall's catalogue, served to the gateway and the other
services; every read answers for the version in force or any older version."""
from __future__ import annotations

import json
import os
from datetime import date, datetime

from hall.catalogue import Catalogue, to_snapshot
from hall.catalogue.handbook import render_sector
from hall.domain.clock import SHANGHAI
from hall.domain.errors import InvalidArgument, NotFound
from hall.infra import auth, grpcutil
from hall.infra.mongo import connect
from hall.runtime import api, process
from hall.v1 import catalogue_pb2 as pb, catalogue_pb2_grpc
from services.routing import catalogue_views as views
from services.routing.catalogue_keeper import CatalogueKeeper
from services.routing.catalogue_repository import CatalogueRepository

# How often routing-api looks at the reference files' modification times (0: only on request).
POLL_SECONDS = float(os.environ.get("HALL_CATALOGUE_POLL_SECONDS", "5"))


class CatalogueServicer(catalogue_pb2_grpc.HallCatalogueServicer):
    def __init__(self, keeper: CatalogueKeeper, repo: CatalogueRepository):
        self.keeper, self.repo = keeper, repo
        self._meta: dict[str, dict] = {}  # a version's load record never changes once stored

    def _cat(self, version: str) -> Catalogue:
        if len(version) > 64:
            raise InvalidArgument("version must be at most 64 characters")
        return self.keeper.get(version) if version else self.keeper.current

    @grpcutil.unary("routing")
    def GetCatalogueVersion(self, request, context):
        """The version in force; cheap enough to poll every few seconds."""
        cat = self.keeper.current
        if cat.version not in self._meta:
            docs = {d["_id"]: d for d in self.repo.list_versions()}
            self._meta.update(docs)
        return views.version(self._meta[cat.version], cat.version)

    @grpcutil.unary("routing")
    def ListCatalogueVersions(self, request, context):
        """Every version ever loaded, oldest first."""
        current = self.keeper.current.version
        return pb.ListCatalogueVersionsResponse(
            versions=[views.version(d, current) for d in self.repo.list_versions()])

    @grpcutil.unary("routing")
    def GetCatalogueSnapshot(self, request, context):
        """A whole version as JSON, for services that rebuild the catalogue locally."""
        cat = self._cat(request.version)
        return pb.CatalogueSnapshot(version=cat.version,
                                    snapshot_json=json.dumps(to_snapshot(cat), ensure_ascii=False))

    @grpcutil.unary("routing")
    def GetCatalogueItem(self, request, context):
        """One item with its materials, fees, flags, procedures and limits."""
        cat = self._cat(request.version)
        item = cat.item(request.code)
        if item is None:
            raise NotFound(f"no item {request.code[:64]!r} in catalogue version {cat.version}")
        return views.item(item, cat.version)

    @grpcutil.unary("routing")
    def ListCatalogueItems(self, request, context):
        """Items by sector, department, site or window; the filters combine."""
        cat = self._cat(request.version)
        items = sorted(cat.items.values(), key=lambda i: i.code)
        if request.sector:
            _known(cat.sector(request.sector), "sector", request.sector)
            items = [i for i in items if i.sector == request.sector]
        if request.department:
            _known(cat.department(request.department), "department", request.department)
            items = [i for i in items if request.department in i.departments]
        if request.site:
            _known(cat.site(request.site), "site", request.site)
            items = [i for i in items if cat.windows_accepting(request.site, i.code)]
        if request.window:
            w = _known(cat.windows.get(request.window), "window", request.window)
            items = [i for i in items if w in cat.windows_accepting(w.site, i.code)]
        return pb.ListCatalogueItemsResponse(items=[views.item(i, cat.version) for i in items],
                                             catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListSites(self, request, context):
        cat = self._cat(request.version)
        return pb.ListCatalogueSitesResponse(sites=[views.site(s) for s in cat.sites.values()],
                                             catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListDepartments(self, request, context):
        """Departments with their chief representative and contact, optionally of one sector."""
        cat = self._cat(request.version)
        if request.sector:
            _known(cat.sector(request.sector), "sector", request.sector)
        return pb.ListCatalogueDepartmentsResponse(
            departments=[views.department(d) for d in cat.departments.values()
                         if not request.sector or d.sector == request.sector],
            catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListWindows(self, request, context):
        """A site's windows and positions; with an item, the front windows that may accept it."""
        cat = self._cat(request.version)
        _known(cat.site(request.site), "site", request.site)
        if request.item_code:
            _known(cat.item(request.item_code), "item", request.item_code)
            windows = cat.windows_accepting(request.site, request.item_code)
        else:
            windows = cat.windows_at(request.site)
        return pb.ListCatalogueWindowsResponse(windows=[views.window(w) for w in windows],
                                               catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListDelegations(self, request, context):
        """Delegation letters (委托授权书) in force on a day (today by default)."""
        cat = self._cat(request.version)
        day = _day(request.on_date)
        if request.department:
            _known(cat.department(request.department), "department", request.department)
        item = _known(cat.item(request.item_code), "item", request.item_code) if request.item_code else None
        letters = [d for d in cat.delegations
                   if d.valid_from <= day <= d.valid_to
                   and (not request.department or d.department == request.department)
                   and (item is None or d.department in item.departments and d.covers(item.code, day))]
        return pb.ListCatalogueDelegationsResponse(delegations=[views.delegation(d) for d in letters],
                                                   catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def GetHandbook(self, request, context):
        """The printable acceptance handbook of one sector."""
        cat = self._cat(request.version)
        try:
            html = render_sector(cat, request.sector)
        except ValueError:
            raise InvalidArgument(f"unknown sector {request.sector[:64]!r}") from None
        return pb.Handbook(sector=request.sector, html=html, catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ReloadCatalogue(self, request, context):
        """Re-read the reference files; invalid files are refused and the old version stays."""
        cat, previous, changed = self.keeper.reload(auth.caller())
        return pb.ReloadCatalogueResponse(version=cat.version, previous_version=previous or "",
                                          changed=changed)


def _known(found, what: str, code: str):
    if found is None:
        raise InvalidArgument(f"unknown {what} {code[:64]!r}")
    return found


def _day(text: str) -> date:
    if not text:
        return datetime.now(SHANGHAI).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"on_date must be a date yyyy-mm-dd, got {text[:40]!r}") from None


def main() -> None:
    s = process.start("routing-api")
    repo = CatalogueRepository(connect(s.mongo_uri)[s.database("routing")])
    keeper = CatalogueKeeper(s.reference_dir, repo)
    keeper.start()
    keeper.watch(POLL_SECONDS)
    servicer = CatalogueServicer(keeper, repo)
    try:
        api.serve(s, "routing-api", "routing", [
            (catalogue_pb2_grpc.add_HallCatalogueServicer_to_server, servicer, "hall.v1.HallCatalogue"),
        ], None, None, api.trust(s, "routing"))
    finally:
        keeper.stop()
