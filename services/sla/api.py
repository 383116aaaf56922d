"""SLA's gRPC API (sla-api): its part of hall.v1.HallGateway (GetCase: the case as tracked,
with status, history and deadlines) and supervision (hall.v1.Supervision)."""
from __future__ import annotations

from datetime import datetime

from hall.domain import identity, timeline
from hall.domain.clock import SHANGHAI
from hall.domain.errors import NotFound
from hall.domain.workdays import WorkCalendar
from hall.infra import auth, convert, grpcutil
from hall.runtime import api, process
from hall.v1 import common_pb2, gateway_pb2_grpc, supervision_pb2_grpc
from services.sla import config
from services.sla.repository import SlaRepository, TimelineRepository
from services.sla.supervision_api import SupervisionServicer


class TrackingServicer(gateway_pb2_grpc.HallGatewayServicer):
    def __init__(self, repo: TimelineRepository, calendar):
        self.repo, self.calendar = repo, calendar

    @grpcutil.unary("sla")
    def GetCase(self, request, context):
        """Everything the SLA service has seen of a case, with its clocks as of now."""
        events = self.repo.events(request.case_no) if 0 < len(request.case_no) <= 40 else []
        if not events:
            raise NotFound(identity.no_such_case(request.case_no))
        v = timeline.build_view(events, self.calendar, datetime.now(SHANGHAI))
        identity.may_see_case(auth.caller(), v["departments"], request.case_no)
        return common_pb2.CaseView(
            case_no=request.case_no, site=events[0]["site"], status=v["status"],
            item_code=v.get("item_code", ""), item_name=v.get("item_name", ""),
            departments=v["departments"], outcome=v["outcome"],
            applicant=convert.applicant_to_pb(v.get("applicant", {})),
            accepted_at=v.get("accepted_at", ""), catalogue_version=v.get("catalogue_version", ""),
            delivery=convert.DELIVERY_PB[v.get("delivery", "pickup")],
            promised=convert.deadline_to_pb(v.get("promised")), legal=convert.deadline_to_pb(v.get("legal")),
            history=[convert.history_to_pb(e, timeline.summary(e)) for e in v["history"]])


def main() -> None:
    s = process.start("sla-api")
    trusted = api.trust(s, "sla")
    db, outbox = api.open_store(s, "sla", SlaRepository.COLLECTIONS)
    repo = SlaRepository(db, outbox)
    calendar = WorkCalendar.load(s.calendar_dir)
    api.serve(s, "sla-api", "sla", [
        (gateway_pb2_grpc.add_HallGatewayServicer_to_server, TrackingServicer(repo, calendar),
         "hall.v1.HallGateway"),
        (supervision_pb2_grpc.add_SupervisionServicer_to_server,
         SupervisionServicer(repo, calendar, config.load()), "hall.v1.Supervision"),
    ], outbox, repo.count_by_status, trusted)
