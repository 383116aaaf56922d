"""受理初审 and 咨询导办 over gRPC: formal review with one documented result; consultations."""
from __future__ import annotations

import uuid

from hall.domain import acceptance, consultation, documents, formal_review, identity, intake_result
from hall.domain.applicant import check_applicant
from hall.domain.errors import InvalidArgument, NotFound, StepOutOfOrder
from hall.domain.identity import require_role
from hall.infra import convert, grpcutil
from hall.v1 import frontdesk_pb2 as fd
from services.intake import pb

STAFF = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin")


def submission_from(r, key: str = "") -> intake_result.Submission:
    """The domain's submission from a request; duplicate condition answers are refused."""
    answers = {c.condition: c.applies for c in r.conditions}
    if len(answers) != len(r.conditions):
        raise InvalidArgument("each condition is answered once")
    app = acceptance.Application(key or r.idempotency_key, r.item_code,
                                 convert.applicant_from_pb(r.applicant), pb.materials_from(r.materials),
                                 convert.DELIVERY[r.delivery], r.address)
    return intake_result.Submission(app, answers, r.refusal_reason, r.refusal_basis)


class AcceptanceRpcs:
    def usable_licences(self, item, holder_id: str, today) -> tuple[dict, str]:
        if not any(m.licence_type for m in item.materials):
            return {}, "ok"
        found, reachable = self.licences.find(holder_id)
        return formal_review.usable_licences(found, holder_id, today), "ok" if reachable else "unavailable"

    @grpcutil.unary("intake")
    def SubmitApplication(self, request, context):
        """Formal review at the window: accepted, refused or a one-time supplement notice."""
        actor, r = self.actor(context), request
        site_code = r.site or actor.site
        identity.may_accept(actor, site_code)
        sub = submission_from(r)
        intake_result.validate_submission(sub)
        idem = f"{site_code}/{r.idempotency_key}"
        if replay := self._replay(idem):
            return replay
        ticket = self._ticket_for(r.ticket_id, site_code)
        if r.consultation_id and not self.desk.get("consultations", r.consultation_id):
            raise NotFound(f"no consultation {r.consultation_id!r}")
        cat, now = self.catalogues.current, self.now()
        item = cat.item(r.item_code)
        undelegated = item and cat.missing_delegations(item.code, now.date())
        licences, library = self.usable_licences(item, sub.app.applicant["id_number"], now.date()) \
            if item else ({}, "ok")
        result = intake_result.decide(sub, item, cat.site(site_code), now.date(), undelegated, licences)
        checks = [c.to_dict() for c in result.finding.checks] if result.finding else []
        links = {"ticket_id": r.ticket_id, "consultation_id": r.consultation_id, "checks": checks}
        if result.kind == "accepted":
            rec, replayed = self.maker.create(
                sub.app, item, cat, site_code, actor, now,
                formal_review.paper_received(list(sub.app.materials), result.finding), extra=links)
            self._link_ticket(ticket, rec["_id"], "accepted")
            return self._accepted(rec, replayed, library)
        kind = "refusal_decision" if result.kind == "refused" else "supplement_notice"
        body = ({"reason": result.reason, "legal_basis": result.legal_basis} if result.kind == "refused"
                else {"problems": result.finding.problems})
        doc = documents.make(kind, self.maker.document_number(kind, site_code, now.date()), site_code,
                             now, actor.to_dict(), item.snapshot(), sub.app.applicant, body)
        rec = {"_id": idem, "result": result.kind, "site": site_code, "item": item.snapshot(),
               "applicant": dict(sub.app.applicant), "materials": [dict(m) for m in sub.app.materials],
               "answers": sub.answers, "at": now.isoformat(), "by": actor.to_dict(),
               "documents": [doc], "library": library, **links}
        existing = self.repo.insert_submission(rec)
        self._link_ticket(ticket, "", result.kind)
        return self._other(existing or rec, bool(existing))

    def _replay(self, idem: str):
        if rec := self.repo.by_idempotency_key(idem):
            return self._accepted(rec, True, "ok")
        if rec := self.repo.submission(idem):
            return self._other(rec, True)
        return None

    def _ticket_for(self, ticket_id: str, site: str) -> dict | None:
        if not ticket_id:
            return None
        t = self.desk.ticket(ticket_id) if len(ticket_id) <= 80 else None
        if t is None or t["site"] != site:
            raise NotFound(f"no ticket {ticket_id!r} at site {site}")
        if t["status"] != "called":
            raise StepOutOfOrder(f"ticket {t['number']} is {t['status']}; only a called ticket is served")
        return t

    def _link_ticket(self, ticket: dict | None, case_no: str, result: str) -> None:
        if ticket:
            self.desk.change_ticket(ticket, {"status": "served", "case_no": case_no, "result": result,
                                             "closed_at": self.now().isoformat()})

    def _accepted(self, rec: dict, replayed: bool, library: str):
        dl = acceptance.deadlines(rec, self.calendar, self.now().date())
        return fd.SubmitApplicationResponse(
            result="accepted", case_no=rec["_id"], document=self._doc(rec["documents"][0]),
            checks=pb.checks(rec.get("checks")), replayed=replayed, licence_library=library,
            promised=convert.deadline_to_pb(dl.promised.to_dict()),
            legal=convert.deadline_to_pb(dl.legal.to_dict()))

    def _other(self, rec: dict, replayed: bool):
        return fd.SubmitApplicationResponse(result=rec["result"], document=self._doc(rec["documents"][0]),
                                            checks=pb.checks(rec.get("checks")), replayed=replayed,
                                            licence_library=rec.get("library", "ok"))

    def _doc(self, doc: dict):
        site = self.catalogues.current.site(doc["site"])
        return pb.document(doc, documents.render_html(doc, site.name if site else doc["site"]))

    @grpcutil.unary("intake")
    def GetDocument(self, request, context):
        """A document by its verification code, printable."""
        require_role(self.actor(context), *STAFF, action="reading documents")
        code = request.verification_code.strip().upper()
        doc = self.repo.document(code) if len(code) == 14 else None
        if doc is None:
            raise NotFound(f"no document has the verification code {request.verification_code!r}")
        return self._doc(doc)

    @grpcutil.unary("intake")
    def Consult(self, request, context):
        """咨询导办: the item's guide, a pre-filled application, pre-guidance for complex items."""
        actor, cat = self.actor(context), self.catalogues.current
        item = cat.item(request.item_code)
        consultation.check(actor, item, request.question)
        if not 0 < len(request.idempotency_key) <= 128:
            raise InvalidArgument("idempotency_key is required (at most 128 characters)")
        applicant = convert.applicant_from_pb(request.applicant)
        if applicant["name"] or applicant["id_number"]:
            check_applicant(applicant["kind"], applicant["name"], applicant["id_number"],
                            applicant["legal_representative"])
        notes = consultation.pre_guidance(cat, item)
        rec = {"_id": f"ZX-{uuid.uuid4().hex[:12]}", "idem": f"{actor.site}/{request.idempotency_key}",
               "site": actor.site, "question": request.question, "guide": consultation.guide(cat, item, actor.site),
               "notes": notes, "draft": consultation.draft(item, applicant), "at": self.now().isoformat(),
               "actor": actor.to_dict()}
        existing = self.desk.insert_once("consultations", rec)
        return self._consultation(existing or rec, bool(existing))

    @grpcutil.unary("intake")
    def GetConsultation(self, request, context):
        require_role(self.actor(context), *STAFF, action="reading consultations")
        rec = self.desk.get("consultations", request.id) if len(request.id) <= 40 else None
        if rec is None:
            raise NotFound(f"no consultation {request.id!r}")
        return self._consultation(rec, False)

    def _consultation(self, rec: dict, replayed: bool):
        return fd.Consultation(id=rec["_id"], site=rec["site"], question=rec["question"],
                               guide=pb.guide(rec["guide"]), pre_guidance=bool(rec["notes"]),
                               pre_guidance_notes=rec["notes"], draft=pb.draft(rec["draft"]),
                               at=rec["at"], actor=pb.actor_to(rec["actor"]), replayed=replayed)
