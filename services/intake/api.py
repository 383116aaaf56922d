"""Intake (综合受理): its part of hall.v1.HallGateway (accept an application, the case as
accepted) and the front desk (hall.v1.FrontDesk), served by intake-api."""
from __future__ import annotations

import os
from datetime import datetime

from hall.catalogue import CatalogueStore
from hall.domain import acceptance, identity
from hall.domain.clock import SHANGHAI
from hall.domain.errors import NotFound
from hall.infra import auth
from hall.domain.workdays import WorkCalendar
from hall.infra import convert, grpcutil
from hall.infra.catalogue_client import CatalogueClient
from hall.runtime import api, process
from hall.v1 import common_pb2, frontdesk_pb2_grpc, gateway_pb2, gateway_pb2_grpc
from services.intake.cases import CaseMaker
from services.intake.desk_store import DeskStore
from services.intake.front_desk import FrontDeskServicer, load_caps
from services.intake.licences import LicenceLibrary
from services.intake.repository import COLLECTIONS, IntakeRepository


class IntakeServicer(gateway_pb2_grpc.HallGatewayServicer):
    def __init__(self, repo: IntakeRepository, maker: CaseMaker, catalogues: CatalogueStore, calendar):
        self.repo, self.maker, self.catalogues, self.calendar = repo, maker, catalogues, calendar

    @grpcutil.unary("intake")
    def AcceptApplication(self, request, context):
        """Accept an application at the caller's site; a retried key returns the same case.
        The materials listed are recorded and their paper handed over; the formal review
        against the checklist, with its three results, is FrontDesk.SubmitApplication."""
        actor, r = auth.caller(), request
        app = acceptance.Application(
            r.idempotency_key, r.item_code, convert.applicant_from_pb(r.applicant),
            tuple({"name": m.name, "form": m.form, "count": m.count} for m in r.materials),
            convert.DELIVERY[r.delivery], r.address)
        site = r.site or actor.site
        identity.may_accept(actor, site)
        acceptance.validate(app)
        existing = self.repo.by_idempotency_key(f"{site}/{app.idempotency_key}")
        if existing:
            return self._response(existing, replayed=True)
        now = datetime.now(SHANGHAI)
        cat = self.catalogues.current
        item = cat.item(app.item_code)
        acceptance.check_item(item, cat.site(site), now.date(),
                              item and cat.missing_delegations(item.code, now.date()))
        paper = [dict(m) for m in app.materials if m["form"] != "electronic"]
        record, replayed = self.maker.create(app, item, cat, site, actor, now, paper, key_checked=True)
        return self._response(record, replayed=replayed)

    @grpcutil.unary("intake")
    def GetCase(self, request, context):
        """The case as accepted (the SLA service holds what happened since)."""
        rec = self.repo.get(request.case_no)
        if rec is None:
            raise NotFound(identity.no_such_case(request.case_no))
        identity.may_see_case(auth.caller(), rec["item"]["departments"], request.case_no)
        return common_pb2.CaseView(
            case_no=rec["_id"], site=rec["site"], item_code=rec["item"]["code"],
            item_name=rec["item"]["name"], status="accepted",
            departments=rec["item"]["departments"], applicant=convert.applicant_to_pb(rec["applicant"]),
            accepted_at=rec["accepted_at"], catalogue_version=rec["catalogue_version"],
            delivery=convert.DELIVERY_PB[rec["delivery"]],
            history=[convert.history_to_pb({**e, "service": "intake"}, "受理") for e in rec["out"]])

    def _response(self, rec: dict, replayed: bool):
        dl = acceptance.deadlines(rec, self.calendar, datetime.now(SHANGHAI).date())
        return gateway_pb2.AcceptApplicationResponse(
            case_no=rec["_id"], status="accepted", accepted_at=rec["accepted_at"], replayed=replayed,
            promised=convert.deadline_to_pb(dl.promised.to_dict()),
            legal=convert.deadline_to_pb(dl.legal.to_dict()))


def main() -> None:
    s = process.start("intake-api")
    trusted = api.trust(s, "intake")
    db, outbox = api.open_store(s, "intake", COLLECTIONS)
    repo = IntakeRepository(db)
    catalogues = CatalogueClient(s.address("routing-api"), channel=trusted.channel(s.address("routing-api")))
    catalogues.load()
    calendar = WorkCalendar.load(s.calendar_dir)
    maker = CaseMaker(repo, outbox, calendar)
    servicer = IntakeServicer(repo, maker, catalogues, calendar)
    desk = FrontDeskServicer(repo, DeskStore(db), maker, catalogues, calendar,
                             LicenceLibrary(trusted.channel(s.address("approval-api"))),
                             load_caps(os.environ.get("HALL_QUEUE_CAPS")))
    api.serve(s, "intake-api", "intake", [
        (gateway_pb2_grpc.add_HallGatewayServicer_to_server, servicer, "hall.v1.HallGateway"),
        (frontdesk_pb2_grpc.add_FrontDeskServicer_to_server, desk, "hall.v1.FrontDesk"),
    ], outbox, repo.count_by_status, trusted)


if __name__ == "__main__":
    main()
