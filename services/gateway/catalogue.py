"""The gateway's catalogue part (hall.v1.HallCatalogue): any signed-in staff read the reference
data served by routing-api; only an admin reloads it from the files."""
from __future__ import annotations

from hall.domain import identity
from hall.infra import convert, grpcutil
from hall.v1 import catalogue_pb2, catalogue_pb2_grpc
from services.gateway.backends import TIMEOUT, Backends


class CatalogueGateway(catalogue_pb2_grpc.HallCatalogueServicer):
    def __init__(self, backends: Backends):
        self.b = backends
        self.routing = catalogue_pb2_grpc.CatalogueStub(
            grpcutil.channel(backends.settings.address("routing-api")))

    def _read(self, call, request, context):
        self.b.caller(context)  # any signed-in member of staff
        return call(request, timeout=TIMEOUT)

    @grpcutil.unary("gateway")
    def GetCatalogueVersion(self, request, context):
        """The catalogue version in force."""
        return self._read(self.routing.GetVersion, request, context)

    @grpcutil.unary("gateway")
    def ListCatalogueVersions(self, request, context):
        """Every version ever loaded, oldest first."""
        return self._read(self.routing.ListVersions, request, context)

    @grpcutil.unary("gateway")
    def GetCatalogueItem(self, request, context):
        """One item as in force, or as it was in an older version."""
        return self._read(self.routing.GetItem, request, context)

    @grpcutil.unary("gateway")
    def ListCatalogueItems(self, request, context):
        """Items by sector, department, site or window."""
        return self._read(self.routing.ListItems, request, context)

    @grpcutil.unary("gateway")
    def ListSites(self, request, context):
        return self._read(self.routing.ListSites, request, context)

    @grpcutil.unary("gateway")
    def ListDepartments(self, request, context):
        return self._read(self.routing.ListDepartments, request, context)

    @grpcutil.unary("gateway")
    def ListWindows(self, request, context):
        return self._read(self.routing.ListWindows, request, context)

    @grpcutil.unary("gateway")
    def ListDelegations(self, request, context):
        return self._read(self.routing.ListDelegations, request, context)

    @grpcutil.unary("gateway")
    def GetHandbook(self, request, context):
        """A sector's printable acceptance handbook (HTML)."""
        return self._read(self.routing.GetHandbook, request, context)

    @grpcutil.unary("gateway")
    def ReloadCatalogue(self, request, context):
        """Admin only: re-read the reference files; invalid files are refused, naming file and entry."""
        actor = self.b.caller(context)
        identity.require_role(actor, "admin", action="reloading the catalogue")
        return self.routing.Reload(catalogue_pb2.ReloadCatalogueCommand(actor=convert.actor_to_pb(actor)),
                                   timeout=TIMEOUT)
