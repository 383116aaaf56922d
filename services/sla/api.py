"""SLA's gRPC API: a case's tracked view (status, history, deadlines)."""
from __future__ import annotations

from datetime import datetime

from hall.domain import timeline
from hall.domain.clock import SHANGHAI
from hall.domain.errors import NotFound
from hall.domain.workdays import WorkCalendar
from hall.infra import convert, grpcutil
from hall.runtime import api, process
from hall.v1 import common_pb2, internal_pb2_grpc, supervision_pb2_grpc
from services.sla import config
from services.sla.repository import SlaRepository, TimelineRepository
from services.sla.supervision_api import SupervisionServicer


class TrackingServicer(internal_pb2_grpc.TrackingServicer):
    def __init__(self, repo: TimelineRepository, calendar):
        self.repo, self.calendar = repo, calendar

    @grpcutil.unary("sla")
    def Track(self, request, context):
        """Everything the SLA service has seen of a case, with its clocks as of now."""
        events = self.repo.events(request.case_no)
        if not events:
            raise NotFound(f"no tracked case numbered {request.case_no!r}")
        v = timeline.build_view(events, self.calendar, datetime.now(SHANGHAI))
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
    db, outbox = api.open_store(s, "sla", SlaRepository.COLLECTIONS)
    repo = SlaRepository(db, outbox)
    calendar = WorkCalendar.load(s.calendar_dir)
    api.serve(s, "sla-api", "sla", [
        (internal_pb2_grpc.add_TrackingServicer_to_server, TrackingServicer(repo, calendar), "hall.v1.Tracking"),
        (supervision_pb2_grpc.add_SlaSupervisionServicer_to_server,
         SupervisionServicer(repo, calendar, config.load()), "hall.v1.SlaSupervision"),
    ], outbox, repo.count_by_status)
