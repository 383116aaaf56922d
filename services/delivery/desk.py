"""The issuance desk (delivery-api): pickups, proxies, courier choice, street hand-overs and
the pickup queue. A refused request changes nothing and is logged with actor, time and reason."""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import datetime

from prometheus_client import Counter

from hall.domain.clock import SHANGHAI
from hall.domain.errors import DomainError, InvalidArgument
from hall.domain.pickup import PAPER, add_proxy, collect
from hall.domain.shipment import EmsCarrier
from hall.domain import identity
from hall.infra import auth, grpcutil
from hall.v1 import gateway_pb2, gateway_pb2_grpc, issuance_pb2, issuance_pb2_grpc
from services.delivery import places, views
from services.delivery.repository import DeliveryRepository

REFUSALS = Counter("hall_issuance_refusals_total", "Requests refused at the issuance desk", ["action", "error"])
MAX_SIGNATURE = 1024 * 1024


class Desk:
    """The plain operations both gRPC services below call."""

    def __init__(self, repo: DeliveryRepository, carrier=None):
        self.repo, self.carrier = repo, carrier or EmsCarrier()

    @contextmanager
    def logged(self, case_no: str, action: str, actor):
        try:
            yield
        except DomainError as exc:
            REFUSALS.labels(action, type(exc).__name__).inc()
            self.repo.refused(case_no, action, actor, exc, datetime.now(SHANGHAI))
            raise

    def collect(self, actor, r, signature: str) -> issuance_pb2.PickupReceipt:
        with self.logged(r.case_no, "collect", actor):
            issuance = self.repo.get(r.case_no)
            event = collect(issuance, actor, r.pickup_code, r.id_number, r.position, signature,
                            datetime.now(SHANGHAI), places.positions(actor.site))
            self.repo.save(issuance, [event.to_dict()])
        return views.receipt(issuance)

    def change(self, actor, case_no: str, action: str, fn) -> issuance_pb2.IssuanceView:
        with self.logged(case_no, action, actor):
            issuance = self.repo.get(case_no)
            events = fn(issuance, datetime.now(SHANGHAI))
            self.repo.save(issuance, [e.to_dict() for e in events])
        return self.view(issuance)

    def view(self, issuance) -> issuance_pb2.IssuanceView:
        now = datetime.now(SHANGHAI)
        return views.view(issuance, places.calendar(), now.date(), self.repo.refusals(issuance.case_no),
                          len(self.repo.notifier.sent([n["id"] for n in issuance.notices])) if issuance.notices else 0)


class DeliveryServicer(gateway_pb2_grpc.HallGatewayServicer):
    """The pipeline's original pickup call (HallGateway.RecordPickup): a paper receipt."""

    def __init__(self, desk: Desk):
        self.desk = desk

    @grpcutil.unary("delivery")
    def RecordPickup(self, request, context):
        """Issue a result once, to the applicant holding the pickup code."""
        r = request
        got = self.desk.collect(auth.caller(), issuance_pb2.CollectRequest(
            case_no=r.case_no, pickup_code=r.pickup_code, id_number=r.id_number), PAPER)
        return gateway_pb2.RecordPickupResponse(case_no=r.case_no, issued_at=got.issued_at, status="issued")


class DeskServicer(issuance_pb2_grpc.IssuanceServicer):
    def __init__(self, desk: Desk):
        self.desk = desk

    @grpcutil.unary("delivery")
    def GetIssuance(self, request, context):
        """Where a result is and everything done with it."""
        return self.desk.view(self.desk.repo.get(request.case_no))

    @grpcutil.unary("delivery")
    def ListPickupQueue(self, request, context):
        """Results waiting at (or on their way to) a site, most urgent first."""
        actor, r = auth.caller(), request
        site = identity.own_site_unless_office(actor, r.site, "the pickup queue")
        limit = r.limit or 50
        if not 0 < limit <= 500:
            raise InvalidArgument("limit must be between 1 and 500")
        return issuance_pb2.ListPickupQueueResponse(
            entries=[self.desk.view(i) for i in self.desk.repo.queue(site, limit)])

    @grpcutil.unary("delivery")
    def RecordProxy(self, request, context):
        """Record a proxy's authorization letter for a waiting result."""
        actor, r = auth.caller(), request
        return self.desk.change(actor, r.case_no, "record_proxy", lambda i, now: (
            add_proxy(i, actor, r.name, r.id_number, r.letter, r.valid_until, now), [])[1])

    @grpcutil.unary("delivery")
    def Collect(self, request, context):
        """Hand the result over at an issuance position against a signed receipt."""
        r = request
        if len(r.signature) > MAX_SIGNATURE:
            raise InvalidArgument("the signature capture is larger than 1 MB")
        signature = hashlib.sha256(r.signature).hexdigest() if r.signature else ""
        return self.desk.collect(auth.caller(), r, signature)

    @grpcutil.unary("delivery")
    def ChooseCourier(self, request, context):
        """Send a waiting result by EMS to an address in the delivery area."""
        actor, r = auth.caller(), request
        return self.desk.change(actor, r.case_no, "choose_courier", lambda i, now: i.choose_courier(
            actor, self.desk.carrier, r.address, r.phone, now))

    @grpcutil.unary("delivery")
    def ReceiveHandover(self, request, context):
        """The street centre signs for a forwarded result; the applicant gets the pickup code."""
        actor, r = auth.caller(), request
        return self.desk.change(actor, r.case_no, "receive_handover",
                                lambda i, now: i.receive_handover(actor, now))
