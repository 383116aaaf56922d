"""Approval's gRPC API (approval-api): its part of hall.v1.HallGateway (ListWorklist,
RecordDecision) and the back office (hall.v1.BackOffice, desk_api.py)."""
from __future__ import annotations

from datetime import datetime

from hall.domain import desk
from hall.domain.clock import SHANGHAI
from hall.domain.workdays import WorkCalendar
from hall.domain import identity
from hall.infra import auth, grpcutil
from hall.runtime import api, process
from hall.v1 import backoffice_pb2_grpc, common_pb2, gateway_pb2, gateway_pb2_grpc
from services.approval import views
from services.approval.desk_api import DeskServicer, limit_of
from services.approval.repository import ApprovalRepository
from services.approval.seals import Keyring


class ApprovalServicer(gateway_pb2_grpc.HallGatewayServicer):
    """The pipeline's calls, kept: a decision without a prior claim claims the case for its
    reviewer; rejections by a reviewer wait for the chief representative's sign-off."""

    def __init__(self, repo: ApprovalRepository, calendar, authority):
        self.repo, self.calendar, self.auth = repo, calendar, authority

    @grpcutil.unary("approval")
    def RecordDecision(self, request, context):
        """Record one department's decision on a case routed to it."""
        actor, r = auth.caller(), request
        department = r.department or actor.department
        identity.may_act_for(actor, department, "deciding")
        now = datetime.now(SHANGHAI)
        review = self.repo.mutate(r.case_no, lambda rv: rv.act(actor, "decide", {
            "department": department, "outcome": r.outcome, "reason": r.reason,
            "legal_basis": r.legal_basis}, self.auth, now))
        return gateway_pb2.RecordDecisionResponse(
            case_no=r.case_no, department=department, outcome=review.children[department].status,
            decided_at=now.isoformat(), case_decided=bool(review.outcome))

    @grpcutil.unary("approval")
    def ListWorklist(self, request, context):
        """A department's cases, earliest deadline first."""
        request.department = identity.worklist_department(auth.caller(), request.department)
        today = datetime.now(SHANGHAI).date()
        entries = []
        for doc in self.repo.worklist(request.department, limit_of(request.limit), request.include_decided):
            line = desk.worklist_line(desk.from_doc(doc), request.department, self.calendar, today)
            entries.append(common_pb2.WorklistEntry(
                case_no=line["case_no"], item_code=line["item_code"], item_name=line["item_name"],
                department=request.department, status=line["status"], promised_due=line["due_date"],
                days_left=line["days_left"], applicant_name=line["applicant_name"]))
        return gateway_pb2.ListWorklistResponse(entries=entries)


def main() -> None:
    s = process.start("approval-api")
    trusted = api.trust(s, "approval")
    db, outbox = api.open_store(s, "approval", ApprovalRepository.COLLECTIONS)
    calendar = WorkCalendar.load(s.calendar_dir)
    repo = ApprovalRepository(db, outbox, calendar)
    keyring = Keyring(db)
    authority = views.authority(s.reference_dir, keyring)
    api.serve(s, "approval-api", "approval", [
        (gateway_pb2_grpc.add_HallGatewayServicer_to_server, ApprovalServicer(repo, calendar, authority),
         "hall.v1.HallGateway"),
        (backoffice_pb2_grpc.add_BackOfficeServicer_to_server, DeskServicer(repo, calendar, authority, keyring),
         "hall.v1.BackOffice"),
    ], outbox, repo.count_by_status, trusted)
