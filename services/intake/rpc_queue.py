"""自动取号 over gRPC: take, call, recall, no-show, transfer, finish, live status."""
from __future__ import annotations

from hall.domain import identity, queueing
from hall.domain.errors import InvalidArgument, NotFound, StepOutOfOrder
from hall.domain.identity import require_role
from hall.infra import grpcutil
from hall.v1 import frontdesk_pb2 as fd
from services.intake import pb


class QueueRpcs:
    @grpcutil.unary("intake")
    def TakeTicket(self, request, context):
        """A ticket for a sector or item at a site; a retried key returns the same ticket."""
        actor = self.actor(context)
        site_code = request.site or actor.site
        identity.may_take_ticket(actor, site_code)
        if not 0 < len(request.idempotency_key) <= 128 or len(request.phone) > 20:
            raise InvalidArgument("idempotency_key is required (at most 128 characters); phone at most 20")
        if request.priority not in queueing.PRIORITIES:
            raise InvalidArgument(f"priority must be one of: {', '.join(p for p in queueing.PRIORITIES if p)}")
        idem = f"{site_code}/{request.idempotency_key}"
        if existing := self.desk.ticket_by_idem(idem):
            return pb.ticket(existing, replayed=True)
        cat, now = self.catalogues.current, self.now()
        site = cat.site(site_code)
        sector = queueing.resolve_sector(cat, site, request.sector, request.item_code)
        cap, day = self.caps.cap(site.kind, sector), now.date().isoformat()
        letter = queueing.sector_letter(list(cat.sectors), sector)
        for _ in range(20):
            seq = self.desk.last_seq(site_code, day, sector) + 1
            warning = queueing.check_cap(seq - 1, cap, sector)
            doc = {"_id": f"{site_code}/{day}/{cat.sector(sector).code}/{seq}", "idem": idem,
                   "number": f"{letter}{seq:03d}", "site": site_code, "day": day, "sector": sector,
                   "origin": sector, "seq": seq, "item_code": request.item_code,
                   "priority": request.priority, "priority_rank": queueing.PRIORITIES[request.priority],
                   "phone": request.phone, "status": "waiting", "taken_at": now.isoformat(),
                   "queued_at": now.isoformat(), "taken_by": actor.to_dict(), "recalls": 0}
            outcome = self.desk.insert_ticket(doc)
            if outcome == "ok":
                return pb.ticket(doc, self._ahead(doc), warning)
            if outcome == "same_key":
                return pb.ticket(self.desk.ticket_by_idem(idem), replayed=True)
        raise StepOutOfOrder("the ticket machine is busy; press again")

    def _ahead(self, t: dict) -> int:
        mine = queueing.call_order(t)
        return sum(1 for o in self.desk.tickets_of_day(t["site"], t["day"])
                   if o["status"] == "waiting" and o["sector"] == t["sector"] and queueing.call_order(o) < mine)

    @grpcutil.unary("intake")
    def CallNext(self, request, context):
        """The next ticket this window may serve; two windows never get the same one."""
        actor = self.actor(context)
        sectors = queueing.window_sectors(self.catalogues.current, actor, request.window)
        now = self.now()
        for _ in range(5):
            candidates = self.desk.waiting(actor.site, now.date().isoformat(), sectors)
            if not candidates:
                raise NotFound(f"nobody is waiting for {'、'.join(sectors)}")
            for t in candidates:  # lost a race for one: try the next
                fields = {"status": "called", "window": request.window, "called_at": now.isoformat(),
                          "called_by": actor.to_dict(),
                          "first_called_at": t.get("first_called_at") or now.isoformat()}
                if self.desk.claim(t["_id"], fields):
                    return pb.ticket({**t, **fields})
        raise StepOutOfOrder("other windows are calling at the same moment; call again")

    def _step(self, context, ticket_id: str, action: str):
        actor = self.actor(context)
        require_role(actor, "clerk", action="handling a queue ticket")
        ticket = self.desk.ticket(ticket_id) if 0 < len(ticket_id) <= 80 else None
        queueing.check_step(ticket, action, actor)
        return actor, ticket

    @grpcutil.unary("intake")
    def RecallTicket(self, request, context):
        """Call the same ticket again (叫号重呼)."""
        actor, t = self._step(context, request.ticket_id, "recall")
        return pb.ticket(self.desk.change_ticket(t, {"called_at": self.now().isoformat()}, {"recalls": 1}))

    @grpcutil.unary("intake")
    def MarkNoShow(self, request, context):
        actor, t = self._step(context, request.ticket_id, "no_show")
        return pb.ticket(self.desk.change_ticket(t, {"status": "no_show", "closed_by": actor.to_dict(),
                                                     "closed_at": self.now().isoformat()}))

    @grpcutil.unary("intake")
    def TransferTicket(self, request, context):
        """Send a called ticket to another sector's queue; it keeps its place in time."""
        actor, t = self._step(context, request.ticket_id, "transfer")
        cat = self.catalogues.current
        sector = queueing.resolve_sector(cat, cat.site(t["site"]), request.sector, "")
        if sector == t["sector"] or len(request.reason) > 200:
            raise InvalidArgument("transfer to another sector (reason at most 200 characters)")
        return pb.ticket(self.desk.change_ticket(t, {
            "status": "waiting", "sector": sector, "transferred_from": t["sector"], "window": "",
            "transfer": {"by": actor.to_dict(), "at": self.now().isoformat(), "reason": request.reason}}))

    @grpcutil.unary("intake")
    def FinishTicket(self, request, context):
        """The visit is over; `case_no` links the case it led to."""
        actor, t = self._step(context, request.ticket_id, "finish")
        if request.case_no and self.repo.get(request.case_no) is None:
            raise NotFound(f"no case numbered {request.case_no!r}")
        return pb.ticket(self.desk.change_ticket(t, {"status": "served", "case_no": request.case_no,
                                                     "closed_at": self.now().isoformat()}))

    @grpcutil.unary("intake")
    def QueueStatus(self, request, context):
        """Waiting counts, average wait and caps per sector at a site, today."""
        actor = self.actor(context)
        require_role(actor, "clerk", "supervisor", "admin", "system", action="reading the queue")
        cat, day = self.catalogues.current, self.now().date().isoformat()
        site = cat.site(request.site or actor.site)
        if site is None:
            raise InvalidArgument("the site is not one of the hall's sites")
        served = [s for s in cat.sectors
                  if any(s in w.sectors for w in cat.windows_at(site.code) if w.kind == "front")]
        tickets = self.desk.tickets_of_day(site.code, day)
        return fd.QueueStatusResponse(site=site.code, day=day, sectors=[
            fd.SectorQueue(**queueing.sector_stats(tickets, s, self.caps.cap(site.kind, s))) for s in served])
