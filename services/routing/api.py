"""Routing's gRPC API (routing-api): the hall's catalogue, served to the gateway and the other
services; every read answers for the version in force or any older version. routing-api is the
catalogue's owner: the one process that reads the reference files."""
from __future__ import annotations

from datetime import datetime

from hall.domain.clock import SHANGHAI
from hall.domain.routing_store import CatalogueVersions
from hall.infra import auth, grpcutil
from hall.infra.mongo import connect
from hall.runtime import api, process
from hall.v1 import catalogue_pb2 as pb, catalogue_pb2_grpc
from services.routing import config, handlers, messages
from services.routing.repository import MongoCatalogueVersions, ReferenceFiles


def _now() -> datetime:
    return datetime.now(SHANGHAI)


class CatalogueServicer(catalogue_pb2_grpc.HallCatalogueServicer):
    """Thin: decode, call the handler, encode."""

    def __init__(self, versions: CatalogueVersions, files: ReferenceFiles):
        self.versions, self.files = versions, files

    def _cat(self, request):
        return handlers.catalogue_at(self.versions, request.version)

    @grpcutil.unary("routing")
    def GetCatalogueVersion(self, request, context):
        """The version in force; cheap enough to poll every few seconds."""
        return messages.version(*handlers.version_in_force(self.versions))

    @grpcutil.unary("routing")
    def ListCatalogueVersions(self, request, context):
        """Every version ever loaded, oldest first."""
        current = self.versions.current.version
        return pb.ListCatalogueVersionsResponse(
            versions=[messages.version(d, current) for d in self.versions.list_versions()])

    @grpcutil.unary("routing")
    def GetCatalogueSnapshot(self, request, context):
        """A whole version as JSON, for services that rebuild the catalogue locally."""
        return messages.snapshot(self._cat(request))

    @grpcutil.unary("routing")
    def GetCatalogueItem(self, request, context):
        """One item with its materials, fees, flags, procedures and limits."""
        cat = self._cat(request)
        return messages.item(handlers.item(cat, request.code), cat.version)

    @grpcutil.unary("routing")
    def ListCatalogueItems(self, request, context):
        """Items by sector, department, site or window; the filters combine."""
        cat = self._cat(request)
        found = handlers.items(cat, request.sector, request.department, request.site, request.window)
        return pb.ListCatalogueItemsResponse(items=[messages.item(i, cat.version) for i in found],
                                             catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListSites(self, request, context):
        """Every site of the hall: the district hall, sub-centres and street offices."""
        cat = self._cat(request)
        return pb.ListCatalogueSitesResponse(sites=[messages.site(s) for s in cat.sites.values()],
                                             catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListDepartments(self, request, context):
        """Departments with their chief representative and contact, optionally of one sector."""
        cat = self._cat(request)
        found = handlers.departments(cat, request.sector)
        return pb.ListCatalogueDepartmentsResponse(departments=[messages.department(d) for d in found],
                                                   catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListWindows(self, request, context):
        """A site's windows and positions; with an item, the front windows that may accept it."""
        cat = self._cat(request)
        found = handlers.windows(cat, request.site, request.item_code)
        return pb.ListCatalogueWindowsResponse(windows=[messages.window(w) for w in found],
                                               catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ListDelegations(self, request, context):
        """Delegation letters (委托授权书) in force on a day (today by default)."""
        cat = self._cat(request)
        found = handlers.delegations(cat, messages.day(request.on_date), request.department, request.item_code)
        return pb.ListCatalogueDelegationsResponse(delegations=[messages.delegation(d) for d in found],
                                                   catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def GetHandbook(self, request, context):
        """The printable acceptance handbook of one sector."""
        cat = self._cat(request)
        return pb.Handbook(sector=request.sector, html=handlers.handbook(cat, request.sector),
                           catalogue_version=cat.version)

    @grpcutil.unary("routing")
    def ReloadCatalogue(self, request, context):
        """Re-read the reference files; invalid files are refused and the old version stays."""
        done = handlers.reload_catalogue(self.versions, self.files, auth.caller(), _now())
        return pb.ReloadCatalogueResponse(version=done.catalogue.version,
                                          previous_version=done.previous or "", changed=done.changed)


def main() -> None:
    s = process.start("routing-api")
    cfg = config.load()
    versions = MongoCatalogueVersions(connect(s.mongo_uri_of("routing"))[s.database("routing")])
    files = ReferenceFiles(cfg.reference_dir)
    handlers.start_catalogue(versions, files, _now())
    files.watch(cfg.poll_seconds, lambda: handlers.reload_changed_files(versions, files, _now()))
    try:
        api.serve(s, "routing-api", "routing", [
            (catalogue_pb2_grpc.add_HallCatalogueServicer_to_server, CatalogueServicer(versions, files),
             "hall.v1.HallCatalogue"),
        ], None, None, api.trust(s, "routing"), versions)
    finally:
        files.stop()
