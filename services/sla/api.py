"""SLA's gRPC API (sla-api): its part of hall.v1.HallGateway (GetCase: the case as tracked,
with status, history and deadlines) and hall.v1.Supervision (case clocks, cases at risk,
notices, ratings and follow-ups, statistics). Each method: decode → handler → encode; the
caller is the one the token names (hall.infra.auth)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from hall.domain import statistics
from hall.domain.clock import SHANGHAI
from hall.domain.ports import UnitOfWork
from hall.infra import auth, grpcutil
from hall.infra.catalogue_client import CatalogueClient
from hall.runtime import api, process
from hall.v1 import gateway_pb2_grpc, supervision_pb2 as pb, supervision_pb2_grpc
from services.sla import config, handlers, messages
from services.sla.repository import SlaRepository


def _today() -> str:
    return datetime.now(SHANGHAI).date().isoformat()


class TrackingServicer(gateway_pb2_grpc.HallGatewayServicer):
    def __init__(self, uow: Callable[[], UnitOfWork]):
        self.uow = uow

    @grpcutil.unary("sla")
    def GetCase(self, request, context):
        """Everything the SLA service has seen of a case, with its clocks as of now."""
        view, site = handlers.case_view(self.uow(), auth.caller(), request.case_no)
        return messages.case_view(request.case_no, site, view)


class SupervisionServicer(supervision_pb2_grpc.SupervisionServicer):
    def __init__(self, uow: Callable[[], UnitOfWork], cfg: config.SlaConfig):
        self.uow, self.cfg = uow, cfg

    @grpcutil.unary("sla")
    def GetCaseClock(self, request, context):
        """A case's clocks as of now, recomputed from its timeline, with its notices."""
        rec, views, notices = handlers.case_clock_of(self.uow(), auth.caller(), request.case_no, self.cfg.policy)
        return messages.case_clock(rec, views, notices)

    @grpcutil.unary("sla")
    def ListCasesAtRisk(self, request, context):
        """Open cases of a department in the states asked for, earliest promised date first."""
        found = handlers.cases_at_risk(self.uow(), auth.caller(), request.department, list(request.states),
                                       messages.limit(request.limit))
        return pb.ListCasesAtRiskResponse(cases=[messages.at_risk(r) for r in found])

    @grpcutil.unary("sla")
    def ListNotices(self, request, context):
        """Supervision notices of a department, newest first."""
        found = handlers.list_notices(self.uow(), auth.caller(), request.department, request.status,
                                      request.case_no, messages.limit(request.limit))
        return pb.ListNoticesResponse(notices=[messages.notice(n) for n in found])

    @grpcutil.unary("sla")
    def AcknowledgeNotice(self, request, context):
        """The chief representative (or the office) acknowledges a notice with what is being done."""
        notice = handlers.acknowledge_notice(self.uow(), auth.caller(), request.notice_id, request.note)
        return messages.notice(notice)

    @grpcutil.unary("sla")
    def RateService(self, request, context):
        """好差评: record a rating once; a bad one opens a follow-up due in working days."""
        rating = handlers.rate_service(self.uow(), auth.caller(), self.cfg.follow_up_days,
                                       **messages.rating_request(request))
        return messages.rating(rating)

    @grpcutil.unary("sla")
    def ListFollowUps(self, request, context):
        """Follow-ups of bad ratings of a department."""
        found = handlers.list_follow_ups(self.uow(), auth.caller(), request.department, request.status,
                                         messages.limit(request.limit))
        return pb.ListFollowUpsResponse(follow_ups=[messages.follow_up(f, _today()) for f in found])

    @grpcutil.unary("sla")
    def ResolveFollowUp(self, request, context):
        """Record what was done about a bad rating."""
        done = handlers.resolve_follow_up(self.uow(), auth.caller(), request.follow_up_id, request.note)
        return messages.follow_up(done, _today())

    @grpcutil.unary("sla")
    def GetStatistics(self, request, context):
        """监督考核 figures for cases accepted (and ratings given) in the range."""
        rows = handlers.statistics_rows(self.uow(), auth.caller(), request.group_by, request.key,
                                        request.from_date, request.to_date)
        return messages.statistics(request, rows)

    @grpcutil.unary("sla")
    def ExportStatistics(self, request, context):
        """The same figures as a CSV file."""
        rows = handlers.statistics_rows(self.uow(), auth.caller(), request.group_by, request.key,
                                        request.from_date, request.to_date)
        return messages.statistics_csv(request, statistics.to_csv(rows, request.group_by))


def main() -> None:
    s = process.start("sla-api")
    trusted = api.trust(s, "sla")
    db, outbox = api.open_store(s, "sla", SlaRepository.COLLECTIONS)
    repo = SlaRepository(db, outbox)
    catalogue = CatalogueClient(s.address("routing-api"), channel=trusted.channel(s.address("routing-api")))
    catalogue.load()

    def uow() -> UnitOfWork:  # the calendar of the catalogue version in force at the call
        return UnitOfWork(repo, outbox, catalogue, catalogue.current.calendar)

    try:
        api.serve(s, "sla-api", "sla", [
            (gateway_pb2_grpc.add_HallGatewayServicer_to_server, TrackingServicer(uow), "hall.v1.HallGateway"),
            (supervision_pb2_grpc.add_SupervisionServicer_to_server, SupervisionServicer(uow, config.load()),
             "hall.v1.Supervision"),
        ], outbox, repo.count_by_status, trusted, catalogue)
    finally:
        catalogue.close()
