"""Approval's gRPC API (approval-api): its part of hall.v1.HallGateway (ListWorklist,
RecordDecision) and hall.v1.BackOffice (worklists, review steps, held cases, the check of
decision documents, the e-licence library 电子证照库). Each method: decode → handler → encode."""
from __future__ import annotations

from hall.domain.joint import RPC_STEPS
from hall.domain.ports import UnitOfWork
from hall.domain.seal import Keyring
from hall.infra import auth, grpcutil
from hall.infra.catalogue_client import CatalogueClient
from hall.runtime import api, process
from hall.v1 import backoffice_pb2 as bo, backoffice_pb2_grpc, gateway_pb2, gateway_pb2_grpc, licences_pb2
from services.approval import config, handlers, messages
from services.approval.repository import MongoReviewRepository, MongoSealKeys


class Approval:
    """What both servicers work with: the repository, the catalogue in force, the seals."""

    def __init__(self, repo, catalogue, keyring: Keyring):
        self.repo, self.catalogue, self.keyring = repo, catalogue, keyring

    def uow(self) -> UnitOfWork:
        """One call's unit of work, with the catalogue version (and calendar) in force now."""
        return UnitOfWork(self.repo, self.repo.outbox, self.catalogue, self.catalogue.current.calendar)


class ApprovalServicer(Approval, gateway_pb2_grpc.HallGatewayServicer):
    """The pipeline's calls."""

    @grpcutil.unary("approval")
    def RecordDecision(self, request, context):
        """Record one department's decision on a case routed to it."""
        review, department, at = handlers.record_decision(
            self.uow(), self.keyring, auth.caller(), request.case_no, messages.decision_args(request))
        return messages.decision_recorded(review, department, at)

    @grpcutil.unary("approval")
    def ListWorklist(self, request, context):
        """A department's cases, earliest deadline first."""
        lines = handlers.worklist(self.uow(), auth.caller(), request.department, messages.limit(request.limit),
                                  request.include_decided)
        return gateway_pb2.ListWorklistResponse(entries=[messages.worklist_entry(line) for line in lines])


class DeskServicer(Approval, backoffice_pb2_grpc.BackOfficeServicer):
    """hall.v1.BackOffice; its review steps (Claim, Decide, SignOff…) are made from RPC_STEPS below."""

    def step(self, action: str, request):
        """One review step for the caller's department."""
        uow = self.uow()
        review = handlers.take_step(uow, self.keyring, auth.caller(), request.case_no, action,
                                    messages.step_args(request))
        return messages.review(review, handlers.deadlines(uow, review))

    @grpcutil.unary("approval")
    def Worklist(self, request, context):
        """A department's reviews, earliest deadline first, with working days left."""
        r = request
        lines = handlers.worklist(self.uow(), auth.caller(), r.department, messages.limit(r.limit),
                                  r.include_decided, messages.queue(r.queue), r.mine)
        return bo.BackOfficeWorklistResponse(items=[messages.work_item(line) for line in lines])

    @grpcutil.unary("approval")
    def GetReview(self, request, context):
        """A case's review, for its departments' staff, the front desk and supervision."""
        review, deadlines = handlers.get_review(self.uow(), auth.caller(), messages.case_no(request.case_no))
        return messages.review(review, deadlines)

    @grpcutil.unary("approval")
    def ListHeld(self, request, context):
        """Cases nobody is responsible for, oldest first."""
        held = handlers.held_cases(self.uow(), request.include_dispatched, messages.limit(request.limit))
        return bo.ListHeldResponse(cases=[messages.held_case(d) for d in held])

    @grpcutil.unary("approval")
    def DispatchHeld(self, request, context):
        """The supervision office sends a held case to the departments it names, once."""
        r = request
        return messages.held_case(handlers.dispatch_held(self.uow(), auth.caller(), r.case_no,
                                                         list(r.departments), r.note))

    @grpcutil.unary("approval")
    def VerifyDecision(self, request, context):
        """Anyone: check a decision document by its verification code against its department's seal."""
        return messages.verification(handlers.verify_decision(
            self.uow(), self.keyring, request.verification_code, request.document_json))

    @grpcutil.unary("approval")
    def FindLicences(self, request, context):
        """A holder's licences (valid ones unless include_inactive), optionally of one type."""
        found = handlers.find_licences(self.uow(), self.keyring, messages.holder_id(request.holder_id),
                                       request.licence_type, request.include_inactive)
        return licences_pb2.FindLicencesResponse(licences=[messages.licence(f, status) for f, status in found])

    @grpcutil.unary("approval")
    def VerifyLicence(self, request, context):
        """Anyone: one licence with its seal checked: valid, expired, revoked or tampered."""
        return messages.licence(*handlers.verify_licence(self.uow(), self.keyring, request.licence_number))


def _step(name: str, action: str):
    @grpcutil.unary("approval")
    def step(self, request, context):
        return self.step(action, request)
    step.__name__ = step.__qualname__ = name
    step.__doc__ = f"Review step {action} for the caller's department (see backoffice.proto)."
    return step


for _name, _action in RPC_STEPS.items():
    setattr(DeskServicer, _name, _step(_name, _action))


def main() -> None:
    s, cfg = process.start("approval-api"), config.load()
    trusted = api.trust(s, "approval")
    db, outbox = api.open_store(s, "approval", MongoReviewRepository.COLLECTIONS)
    repo, keyring = MongoReviewRepository(db, outbox), Keyring(MongoSealKeys(db), cfg.seal_secret)
    catalogue = CatalogueClient(s.address("routing-api"), channel=trusted.channel(s.address("routing-api")))
    catalogue.load()
    try:
        api.serve(s, "approval-api", "approval", [
            (gateway_pb2_grpc.add_HallGatewayServicer_to_server, ApprovalServicer(repo, catalogue, keyring),
             "hall.v1.HallGateway"),
            (backoffice_pb2_grpc.add_BackOfficeServicer_to_server, DeskServicer(repo, catalogue, keyring),
             "hall.v1.BackOffice"),
        ], outbox, repo.count_by_status, trusted, catalogue)
    finally:
        catalogue.close()
