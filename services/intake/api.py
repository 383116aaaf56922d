"""Intake (综合受理), served by intake-api: its part of hall.v1.HallGateway (accept an
application, the case as accepted) and the front desk (hall.v1.FrontDesk). Each method
decodes, calls its handler with the verified caller, and encodes."""
from __future__ import annotations

from hall.domain import queueing
from hall.domain.intake_store import IntakeStore, LicenceLibrary
from hall.domain.ports import Catalogue, EventOutbox, UnitOfWork
from hall.infra import auth, convert, grpcutil
from hall.infra.catalogue_client import CatalogueClient
from hall.runtime import api, broker_node, process
from hall.v1 import frontdesk_pb2 as fd, frontdesk_pb2_grpc, gateway_pb2_grpc
from services.intake import config, handlers, messages
from services.intake.repository import GrpcLicenceLibrary, MongoIntakeRepository


class Intake:
    """What every intake servicer works with; a fresh unit of work per call, on the calendar
    of the catalogue in force (a reload reaches the next call)."""

    def __init__(self, repo: IntakeStore, outbox: EventOutbox, catalogue: Catalogue, link=None):
        self.repo, self.outbox, self.catalogue, self.link = repo, outbox, catalogue, link

    def district_link(self) -> str:
        """At a street node: what the clerk is told while the district cannot be reached."""
        return self.link.warning() if self.link else ""

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.repo, self.outbox, self.catalogue, self.catalogue.current.calendar)


class IntakeServicer(gateway_pb2_grpc.HallGatewayServicer):
    """hall.v1.HallGateway's intake part."""

    def __init__(self, intake: Intake):
        self.intake = intake

    @grpcutil.unary("intake")
    def AcceptApplication(self, request, context):
        """Accept an application at the caller's site; a retried key returns the same case.
        The materials listed are recorded and their paper handed over; the formal review
        against the checklist, with its three results, is FrontDesk.SubmitApplication."""
        accepted = handlers.accept_application(self.intake.uow(), auth.caller(),
                                               messages.application(request), request.site)
        return messages.accept_response(accepted, self.intake.district_link())

    @grpcutil.unary("intake")
    def GetCase(self, request, context):
        """The case as accepted (the SLA service holds what happened since)."""
        return messages.case_view(handlers.get_case(self.intake.uow(), auth.caller(), request.case_no))


class FrontDeskServicer(frontdesk_pb2_grpc.FrontDeskServicer):
    """hall.v1.FrontDesk: the front desk's calls (the gateway forwards them)."""

    def __init__(self, intake: Intake, licences: LicenceLibrary, caps: queueing.Caps):
        self.intake, self.licences, self.caps = intake, licences, caps

    def _cat(self):
        return self.intake.catalogue.current

    # --- 自动取号 ------------------------------------------------------------------------------
    @grpcutil.unary("intake")
    def TakeTicket(self, request, context):
        """A ticket for a sector or item at a site; a retried key returns the same ticket."""
        r = request
        return messages.ticket(handlers.take_ticket(
            self.intake.uow(), auth.caller(), self.caps, r.idempotency_key, r.site, r.sector,
            r.item_code, r.priority, r.phone))

    @grpcutil.unary("intake")
    def CallNext(self, request, context):
        """The next ticket this window may serve; two windows never get the same one."""
        return messages.ticket(handlers.call_next(self.intake.uow(), auth.caller(), request.window))

    @grpcutil.unary("intake")
    def RecallTicket(self, request, context):
        """Call the same ticket again (叫号重呼)."""
        return messages.ticket(handlers.recall_ticket(self.intake.uow(), auth.caller(), request.ticket_id))

    @grpcutil.unary("intake")
    def MarkNoShow(self, request, context):
        """The called applicant did not come."""
        return messages.ticket(handlers.mark_no_show(self.intake.uow(), auth.caller(), request.ticket_id))

    @grpcutil.unary("intake")
    def TransferTicket(self, request, context):
        """Send a called ticket to another sector's queue; it keeps its place in time."""
        return messages.ticket(handlers.transfer_ticket(self.intake.uow(), auth.caller(), request.ticket_id,
                                                        request.sector, request.reason))

    @grpcutil.unary("intake")
    def FinishTicket(self, request, context):
        """The visit is over; `case_no` links the case it led to."""
        return messages.ticket(handlers.finish_ticket(self.intake.uow(), auth.caller(), request.ticket_id,
                                                      request.case_no))

    @grpcutil.unary("intake")
    def QueueStatus(self, request, context):
        """Waiting counts, average wait and caps per sector at a site, today."""
        site, day, sectors = handlers.queue_status(self.intake.uow(), auth.caller(), self.caps, request.site)
        return fd.QueueStatusResponse(site=site, day=day, sectors=[fd.SectorQueue(**s) for s in sectors])

    @grpcutil.unary("intake")
    def CallBoard(self, request, context):
        """叫号屏: the latest calls by window and the number waiting per sector (public)."""
        site, name, day, calls, sectors = handlers.call_board(self.intake.uow(), request.site)
        return fd.CallBoardResponse(site=site, site_name=name, day=day,
                                    calls=[fd.BoardCall(**c) for c in calls],
                                    sectors=[fd.BoardSector(**s) for s in sectors])

    # --- 咨询导办 and 受理初审 ----------------------------------------------------------------
    @grpcutil.unary("intake")
    def Consult(self, request, context):
        """咨询导办: the item's guide, a pre-filled application, pre-guidance for complex items."""
        rec, replayed = handlers.consult(self.intake.uow(), auth.caller(), request.item_code, request.question,
                                         request.idempotency_key, convert.applicant_from_pb(request.applicant))
        return messages.consultation(rec, replayed)

    @grpcutil.unary("intake")
    def GetConsultation(self, request, context):
        """A consultation as recorded."""
        return messages.consultation(handlers.get_consultation(self.intake.uow(), auth.caller(), request.id), False)

    @grpcutil.unary("intake")
    def SubmitApplication(self, request, context):
        """Formal review at the window: accepted, refused or a one-time supplement notice."""
        submitted = handlers.submit_application(
            self.intake.uow(), auth.caller(), self.licences, messages.submission(request), request.site,
            request.ticket_id, request.consultation_id)
        return messages.submit_response(submitted, self._cat(), self.intake.district_link())

    @grpcutil.unary("intake")
    def GetDocument(self, request, context):
        """A document by its verification code, printable."""
        doc = handlers.get_document(self.intake.uow(), auth.caller(), request.verification_code)
        return messages.document(doc, self._cat())

    # --- 网上预审 ---------------------------------------------------------------------------
    @grpcutil.unary("intake")
    def SubmitOnline(self, request, context):
        """An application from the online hall (一网通办) joins the pre-review queue."""
        pre = handlers.submit_online(self.intake.uow(), auth.caller(), self.licences,
                                     messages.submission(request), request.site, request.ticket_id)
        return messages.prereview(pre, self._cat())

    @grpcutil.unary("intake")
    def ListPrereviews(self, request, context):
        """The site's pre-review queue, oldest first, with each one's five-day standing."""
        found = handlers.list_prereviews(self.intake.uow(), auth.caller(), request.site, request.status,
                                         request.limit)
        return fd.ListPrereviewsResponse(prereviews=[messages.prereview(p, self._cat()) for p in found])

    @grpcutil.unary("intake")
    def PassPrereview(self, request, context):
        """Pass: the case is accepted (from the day received if the five days ran out)."""
        pre = handlers.pass_prereview(self.intake.uow(), auth.caller(), self.licences, request.id)
        return messages.prereview(pre, self._cat())

    @grpcutil.unary("intake")
    def ReturnPrereview(self, request, context):
        """Return it with every missing or defective material at once (一次性告知书)."""
        pre = handlers.return_prereview(self.intake.uow(), auth.caller(), request.id,
                                        messages.problems(request.problems))
        return messages.prereview(pre, self._cat())

    # --- 材料交接签收 and 补正 ------------------------------------------------------------------
    @grpcutil.unary("intake")
    def ListHandovers(self, request, context):
        """A department's hand-overs; `as_of` shows which will be overdue then."""
        r = request
        rows = handlers.list_handovers(self.intake.uow(), auth.caller(), r.department, r.as_of,
                                       r.unsigned_only, r.overdue_only, r.limit)
        return fd.ListHandoversResponse(handovers=[messages.handover(h, late) for h, late in rows])

    @grpcutil.unary("intake")
    def SignHandover(self, request, context):
        """The department signs for the paper it received, once."""
        return messages.handover(handlers.sign_handover(self.intake.uow(), auth.caller(), request.case_no), False)

    @grpcutil.unary("intake")
    def ListSupplements(self, request, context):
        """Cases waiting at this site for the applicant's corrected materials."""
        found = handlers.list_supplements(self.intake.uow(), auth.caller(), request.site,
                                          request.include_submitted, request.limit)
        return fd.ListSupplementsResponse(supplements=[messages.supplement(r) for r in found])

    @grpcutil.unary("intake")
    def SubmitSupplement(self, request, context):
        """The applicant brought the corrected materials: publish `supplement_submitted` once."""
        r = request
        rec, replayed = handlers.submit_supplement(self.intake.uow(), auth.caller(), r.case_no, r.idempotency_key,
                                                   list(messages.materials_from(r.materials)), r.department)
        return messages.supplement(rec, replayed)


def main() -> None:
    s = process.start("intake-api")
    cfg = config.load()
    trusted = api.trust(s, "intake")
    db, outbox = api.open_store(s, "intake", MongoIntakeRepository.COLLECTIONS)
    repo = MongoIntakeRepository(db, outbox)
    repo.numbering = s.numbering
    catalogue = CatalogueClient(s.address("routing-api"), channel=trusted.channel(s.address("routing-api")))
    catalogue.load()
    link = None
    if s.role == "street":  # its own link's state, for the clerk (hall/runtime/broker_node.py)
        link = broker_node.LinkWatch(broker_node.Link(s.site, s.amqp_uri, s.node_management, "")).start()
    intake = Intake(repo, outbox, catalogue, link)
    licences = GrpcLicenceLibrary(trusted.channel(s.address("approval-api")))
    try:
        api.serve(s, "intake-api", "intake", [
            (gateway_pb2_grpc.add_HallGatewayServicer_to_server, IntakeServicer(intake), "hall.v1.HallGateway"),
            (frontdesk_pb2_grpc.add_FrontDeskServicer_to_server, FrontDeskServicer(intake, licences, cfg.caps),
             "hall.v1.FrontDesk"),
        ], outbox, repo.count_by_status, trusted, catalogue)
    finally:
        catalogue.close()
