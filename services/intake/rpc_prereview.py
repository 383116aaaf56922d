"""网上预审 over gRPC: online applications, their queue, pass or return (Art. 32 five days)."""
from __future__ import annotations

import uuid

from hall.domain import acceptance, documents, formal_review, intake_result, prereview
from hall.domain.errors import InvalidArgument, NotFound, PermissionDenied, Refused
from hall.domain.identity import require_role
from hall.infra import grpcutil
from hall.v1 import frontdesk_pb2 as fd
from services.intake import pb
from services.intake.rpc_acceptance import submission_from


class PrereviewRpcs:
    @grpcutil.unary("intake")
    def SubmitOnline(self, request, context):
        """An application from the online hall (一网通办) joins the pre-review queue."""
        actor, r = self.actor(context), request
        require_role(actor, "system", "clerk", action="submitting an online application")
        site_code = r.site or actor.site
        sub = submission_from(r)
        intake_result.validate_submission(sub)
        if sub.refusal_reason or r.ticket_id:
            raise InvalidArgument("an online application carries no refusal and no queue ticket")
        cat, now = self.catalogues.current, self.now()
        item = cat.item(r.item_code)
        idem = f"{site_code}/{r.idempotency_key}"
        if existing := self.desk.db.prereviews.find_one({"idem": idem}):
            return self._pre(existing, True)
        licences, _ = self.usable_licences(item, sub.app.applicant["id_number"], now.date()) if item else ({}, "")
        result = intake_result.decide(sub, item, cat.site(site_code), now.date(),
                                      item and cat.missing_delegations(item.code, now.date()), licences,
                                      online=True)
        if result.kind == "refused":
            raise Refused(result.reason)
        rec = {"_id": f"YS-{uuid.uuid4().hex[:12]}", "idem": idem, "site": site_code,
               "item": item.snapshot(), "applicant": dict(sub.app.applicant),
               "materials": [dict(m) for m in sub.app.materials], "answers": sub.answers,
               "delivery": sub.app.delivery, "address": sub.app.address,
               "checks": [c.to_dict() for c in result.finding.checks], "status": "waiting",
               "received_at": now.isoformat(), "received_on": now.date().isoformat(),
               "submitted_by": actor.to_dict(), "documents": []}
        existing = self.desk.insert_once("prereviews", rec)
        return self._pre(existing or rec, bool(existing))

    def _open(self, context, pre_id: str):
        actor = self.actor(context)
        require_role(actor, "clerk", action="pre-reviewing online applications")
        pre = self.desk.get("prereviews", pre_id) if 0 < len(pre_id) <= 40 else None
        if pre is None:
            raise NotFound(f"no online application {pre_id!r}")
        if pre["site"] != actor.site:
            raise PermissionDenied(f"online application {pre_id} is for site {pre['site']}")
        return actor, pre

    @grpcutil.unary("intake")
    def ListPrereviews(self, request, context):
        """The site's pre-review queue, oldest first, with each one's five-day standing."""
        actor = self.actor(context)
        require_role(actor, "clerk", "supervisor", "admin", action="reading the pre-review queue")
        if request.status not in ("", "waiting", "passed", "returned"):
            raise InvalidArgument("status is waiting, passed or returned")
        limit = request.limit or 50
        if not 0 < limit <= 500:
            raise InvalidArgument("limit is 1 to 500")
        return fd.ListPrereviewsResponse(prereviews=[
            self._pre(p, False) for p in self.desk.prereviews(request.site or actor.site, request.status, limit)])

    @grpcutil.unary("intake")
    def PassPrereview(self, request, context):
        """Pass: the case is accepted (from the day received if the five days ran out)."""
        actor, pre = self._open(context, request.id)
        prereview.check_open(pre)
        cat, now = self.catalogues.current, self.now()
        item = cat.item(pre["item"]["code"])
        accepted_on, deemed_from = prereview.accepted_on(pre, now.date(), self.calendar)
        licences, _ = self.usable_licences(item, pre["applicant"]["id_number"], now.date())
        finding = formal_review.review(item, pre["materials"], pre["answers"], licences, online=True)
        if not finding.complete and not deemed_from:
            missing = "；".join(f"{p['name']}（{p['problem']}）" for p in finding.problems)
            raise Refused(f"materials are incomplete: {missing}; return it with a one-time notice")
        app = acceptance.Application(f"online-{pre['_id']}", item.code, pre["applicant"],
                                     tuple(pre["materials"]), pre["delivery"], pre["address"])
        rec, _ = self.maker.create(app, item, cat, pre["site"], actor, now, [], accepted_on,
                                   extra={"prereview_id": pre["_id"], "deemed_from": deemed_from,
                                          "checks": [c.to_dict() for c in finding.checks]})
        self.desk.close_prereview(pre["_id"], {"status": "passed", "case_no": rec["_id"],
                                               "deemed_from": deemed_from, "visit": prereview.visit(item),
                                               "closed_by": actor.to_dict(), "closed_at": now.isoformat(),
                                               "documents": rec["documents"]})
        return self._pre(self.desk.get("prereviews", pre["_id"]), False)

    @grpcutil.unary("intake")
    def ReturnPrereview(self, request, context):
        """Return it with every missing or defective material at once (一次性告知书)."""
        actor, pre = self._open(context, request.id)
        now = self.now()
        prereview.check_return(pre, now.date(), self.calendar)
        extra = [{"name": p.name, "problem": p.problem} for p in request.problems]
        if any(not p["name"] or not p["problem"] or len(p["name"]) > 200 or len(p["problem"]) > 500
               for p in extra) or len(extra) > 100:
            raise InvalidArgument("each problem names the material and what is wrong (200/500 characters)")
        problems = [p for p in pre["checks"] if p["status"] in ("missing", "defective")]
        problems = [{"name": p["name"], "problem": p["problem"]} for p in problems] + extra
        if not problems:
            raise InvalidArgument("nothing is missing: list what is wrong, or pass the application")
        doc = documents.make("supplement_notice", self.maker.document_number("supplement_notice", pre["site"], now.date()),
                             pre["site"], now, actor.to_dict(), pre["item"], pre["applicant"], {"problems": problems})
        if not self.desk.close_prereview(pre["_id"], {"status": "returned", "documents": [doc],
                                                      "closed_by": actor.to_dict(), "closed_at": now.isoformat()}):
            prereview.check_open(self.desk.get("prereviews", pre["_id"]))
        return self._pre(self.desk.get("prereviews", pre["_id"]), False)

    def _pre(self, p: dict, replayed: bool):
        standing = prereview.status(p, self.now().date(), self.calendar)
        doc = p["documents"][0] if p.get("documents") else None
        return fd.Prereview(id=p["_id"], site=p["site"], item_code=p["item"]["code"],
                            item_name=p["item"]["name"], applicant_name=p["applicant"]["name"],
                            status=p["status"], received_at=p["received_at"], case_no=p.get("case_no", ""),
                            checks=pb.checks(p["checks"]), visit=p.get("visit", ""), replayed=replayed,
                            document=self._doc(doc) if doc else None, **standing)
