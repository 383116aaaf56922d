"""Approval's gRPC API: department decisions and worklists."""
from __future__ import annotations

from datetime import date, datetime

from hall.domain.clock import SHANGHAI, Clock
from hall.domain.errors import InvalidArgument
from hall.domain.workdays import WorkCalendar
from hall.infra import convert, grpcutil
from hall.infra.bus import Publisher
from hall.infra.metrics import refresh_periodically
from hall.infra.mongo import connect
from hall.infra.outbox import Outbox
from hall.runtime import process
from hall.v1 import common_pb2, gateway_pb2, internal_pb2_grpc
from services.approval.repository import ApprovalRepository


class ApprovalServicer(internal_pb2_grpc.ApprovalServicer):
    def __init__(self, repo: ApprovalRepository, calendar):
        self.repo, self.calendar = repo, calendar

    @grpcutil.unary("approval")
    def Decide(self, request, context):
        """Record one department's decision on a case routed to it."""
        actor = convert.actor_from_pb(request.actor)
        r = request.request
        department = r.department or actor.department
        review = self.repo.get(r.case_no)
        now = datetime.now(SHANGHAI)
        events = review.decide(actor, department, r.outcome, r.reason, r.legal_basis, now)
        self.repo.save(review, [e.to_dict() for e in events])
        return gateway_pb2.RecordDecisionResponse(
            case_no=r.case_no, department=department, outcome=review.departments[department]["status"],
            decided_at=now.isoformat(), case_decided=review.decided)

    @grpcutil.unary("approval")
    def Worklist(self, request, context):
        """A department's cases, earliest promised deadline first."""
        if not request.department:
            raise InvalidArgument("department is required")
        limit = request.limit or 50
        if not 0 < limit <= 500:
            raise InvalidArgument("limit must be between 1 and 500")
        today = datetime.now(SHANGHAI).date()
        entries = []
        for doc in self.repo.worklist(request.department, limit, request.include_decided):
            routed = doc["routed"]
            clock = Clock(routed["item"]["promised_limit"], date.fromisoformat(routed["accepted_on"]))
            entries.append(common_pb2.WorklistEntry(
                case_no=doc["_id"], item_code=routed["item"]["code"], item_name=routed["item"]["name"],
                department=request.department,
                status=doc["departments"][request.department]["status"],
                promised_due=routed["promised_due"], days_left=clock.days_left(self.calendar, today),
                applicant_name=routed["applicant"]["name"]))
        return gateway_pb2.ListWorklistResponse(entries=entries)


def main() -> None:
    s = process.start("approval-api")
    db = connect(s.mongo_uri)[s.database("approval")]
    outbox = Outbox(db, Publisher(s.amqp_uri), ApprovalRepository.COLLECTIONS)
    outbox.start()
    repo = ApprovalRepository(db, outbox)
    servicer = ApprovalServicer(repo, WorkCalendar.load(s.calendar_dir))
    server, _ = grpcutil.make_server(
        s.grpc_port("approval-api"),
        lambda srv: internal_pb2_grpc.add_ApprovalServicer_to_server(servicer, srv), ["hall.v1.Approval"])
    refresh_periodically("approval", repo.count_by_status)
    process.wait_for_signal()
    server.stop(grace=5).wait()
    outbox.stop()
