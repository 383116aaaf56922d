"""After acceptance, at the front desk: paper hand-over (材料交接签收) and supplements (补正)."""
from __future__ import annotations

from datetime import datetime

from hall.domain import handover, identity, supplements
from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, InvalidArgument, NotFound
from hall.domain.identity import require_role
from hall.infra import grpcutil
from hall.v1 import frontdesk_pb2 as fd
from services.intake import pb


def _limit(n: int) -> int:
    if not 0 <= n <= 500:
        raise InvalidArgument("limit is 1 to 500")
    return n or 100


class FollowupRpcs:
    @grpcutil.unary("intake")
    def ListHandovers(self, request, context):
        """A department's hand-overs; `as_of` shows which will be overdue then."""
        department = identity.department_to_read(self.actor(context), request.department, "hand-overs",
                                                 others=("clerk", "supervisor", "admin"))
        if not department:
            raise InvalidArgument("name the department")
        try:
            as_of = datetime.fromisoformat(request.as_of) if request.as_of else self.now()
        except ValueError:
            raise InvalidArgument(f"as_of {request.as_of!r} is not an ISO 8601 time") from None
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=SHANGHAI)
        rows = [(h, handover.overdue(h, as_of)) for h in
                self.repo.handovers(department, request.unsigned_only or request.overdue_only,
                                    _limit(request.limit))]
        return fd.ListHandoversResponse(handovers=[pb.handover(h, late) for h, late in rows
                                                   if late or not request.overdue_only])

    @grpcutil.unary("intake")
    def SignHandover(self, request, context):
        """The department signs for the paper it received, once."""
        actor = self.actor(context)
        case = self.repo.get(request.case_no) if 0 < len(request.case_no) <= 40 else None
        if case is None:
            raise NotFound(f"no case numbered {request.case_no!r}")
        handover.check_sign(case.get("handover"), request.case_no, actor)
        if not self.repo.sign_handover(request.case_no, actor.to_dict(), self.now().isoformat()):
            handover.check_sign(self.repo.get(request.case_no)["handover"], request.case_no, actor)
        h = self.repo.get(request.case_no)["handover"]
        return pb.handover({"case_no": request.case_no, **h}, False)

    @grpcutil.unary("intake")
    def ListSupplements(self, request, context):
        """Cases waiting at this site for the applicant's corrected materials."""
        actor = self.actor(context)
        require_role(actor, "clerk", "supervisor", "admin", action="reading the supplement list")
        query = {"site": request.site or actor.site}
        if not request.include_submitted:
            query["status"] = "waiting"
        return fd.ListSupplementsResponse(supplements=[
            pb.supplement(r) for r in self.repo.supplements(query, _limit(request.limit))])

    @grpcutil.unary("intake")
    def SubmitSupplement(self, request, context):
        """The applicant brought the corrected materials: publish `supplement_submitted` once."""
        actor, r = self.actor(context), request
        if not 0 < len(r.idempotency_key) <= 128 or not 0 < len(r.case_no) <= 40:
            raise InvalidArgument("idempotency_key and case_no are required")
        recs = self.repo.supplements({"case_no": r.case_no}, 50)
        done = [x for x in recs if x["status"] == "submitted" and x.get("idempotency_key") == r.idempotency_key]
        if done:
            return pb.supplement(done[0], replayed=True)
        waiting = [x for x in recs if x["status"] == "waiting"
                   and (not r.department or x["department"] == r.department)]
        if not waiting:
            if recs:
                raise AlreadyDone(f"case {r.case_no} is not waiting for a supplement"
                                  f"{' from ' + r.department if r.department else ''}")
            raise NotFound(f"no supplement was requested for case {r.case_no!r}")
        if len(waiting) > 1:
            raise InvalidArgument(f"several departments wait ({'、'.join(x['department'] for x in waiting)}); name one")
        rec, materials, now = waiting[0], list(pb.materials_from(r.materials)), self.now()
        event = supplements.submit(rec, actor, materials, r.idempotency_key, now)
        fields = {"submitted_at": now.isoformat(), "submitted_by": actor.to_dict(),
                  "submitted": materials, "idempotency_key": r.idempotency_key}
        if not self.repo.mark_supplement_submitted(rec["_id"], fields, event.to_dict()):
            return self.SubmitSupplement.__wrapped__(self, request, context)  # lost a race: answer again
        return pb.supplement({**rec, **fields, "status": "submitted"})
