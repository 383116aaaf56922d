"""Intake (综合受理): the gRPC API the gateway calls to accept applications and read cases."""
from __future__ import annotations

from datetime import datetime

from hall.catalogue import CatalogueStore
from hall.domain import acceptance
from hall.domain.case_number import SequenceBlocks, format_case_no
from hall.domain.clock import SHANGHAI
from hall.domain.errors import NotFound
from hall.domain.workdays import WorkCalendar
from hall.infra import convert, grpcutil
from hall.infra.bus import Publisher
from hall.infra.catalogue_client import CatalogueClient
from hall.infra.mongo import connect
from hall.infra.outbox import Outbox
from hall.runtime import process
from hall.v1 import common_pb2, gateway_pb2, internal_pb2_grpc
from services.intake.repository import COLLECTIONS, IntakeRepository


class IntakeServicer(internal_pb2_grpc.IntakeServicer):
    def __init__(self, repo: IntakeRepository, outbox: Outbox, catalogues: CatalogueStore, calendar):
        self.repo, self.outbox, self.catalogues, self.calendar = repo, outbox, catalogues, calendar
        self.sequences = SequenceBlocks(repo.reserve)

    @grpcutil.unary("intake")
    def Accept(self, request, context):
        """Accept an application at the caller's site; a retried key returns the same case."""
        actor = convert.actor_from_pb(request.actor)
        r = request.request
        app = acceptance.Application(
            r.idempotency_key, r.item_code, convert.applicant_from_pb(r.applicant),
            tuple({"name": m.name, "form": m.form, "count": m.count} for m in r.materials),
            convert.DELIVERY[r.delivery], r.address)
        site = r.site or actor.site
        acceptance.may_accept(actor, site)
        acceptance.validate(app)
        existing = self.repo.by_idempotency_key(f"{site}/{app.idempotency_key}")
        if existing:
            return self._response(existing, replayed=True)
        now = datetime.now(SHANGHAI)
        cat = self.catalogues.current
        item = cat.item(app.item_code)
        acceptance.check_item(item, cat.site(site), now.date(),
                              item and cat.missing_delegations(item.code, now.date()))
        case_no = format_case_no(site, now.date(), self.sequences.next(site, now.date()))
        record, event = acceptance.accept(app, item, cat.version, site, case_no, actor, now,
                                          self.calendar)
        existing = self.repo.insert(record, [event.to_dict()])
        if existing:
            return self._response(existing, replayed=True)
        self.outbox.handed([event.to_dict()])
        return self._response(record, replayed=False)

    @grpcutil.unary("intake")
    def GetCase(self, request, context):
        """The case as accepted (the SLA service holds what happened since)."""
        rec = self.repo.get(request.case_no)
        if rec is None:
            raise NotFound(f"no case numbered {request.case_no!r}")
        return common_pb2.CaseView(
            case_no=rec["_id"], site=rec["site"], item_code=rec["item"]["code"],
            item_name=rec["item"]["name"], status="accepted",
            departments=rec["item"]["departments"], applicant=convert.applicant_to_pb(rec["applicant"]),
            accepted_at=rec["accepted_at"], catalogue_version=rec["catalogue_version"],
            delivery=convert.DELIVERY_PB[rec["delivery"]],
            history=[convert.history_to_pb({**e, "service": "intake"}, "受理") for e in rec["out"]])

    def _response(self, rec: dict, replayed: bool):
        return gateway_pb2.AcceptApplicationResponse(
            case_no=rec["_id"], status="accepted", accepted_at=rec["accepted_at"], replayed=replayed,
            promised=common_pb2.Deadline(limit_days=rec["item"]["promised_limit"],
                                         due_date=rec["promised_due"], estimated=rec["estimated"]),
            legal=common_pb2.Deadline(limit_days=rec["item"]["legal_limit"],
                                      due_date=rec["legal_due"], estimated=rec["estimated"]))


def main() -> None:
    s = process.start("intake-api")
    db = connect(s.mongo_uri)[s.database("intake")]
    repo = IntakeRepository(db)
    outbox = Outbox(db, Publisher(s.amqp_uri), COLLECTIONS)
    outbox.start()
    catalogues = CatalogueClient(s.address("routing-api"))  # routing owns the catalogue
    catalogues.load()
    servicer = IntakeServicer(repo, outbox, catalogues, WorkCalendar.load(s.calendar_dir))
    server, _ = grpcutil.make_server(
        s.grpc_port("intake-api"),
        lambda srv: internal_pb2_grpc.add_IntakeServicer_to_server(servicer, srv), ["hall.v1.Intake"])
    from hall.infra.metrics import refresh_periodically
    refresh_periodically("intake", repo.count_by_status)
    process.wait_for_signal()
    server.stop(grace=5).wait()
    outbox.stop()


if __name__ == "__main__":
    main()
