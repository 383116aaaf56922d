"""Intake's protobuf messages ↔ the plain values its handlers take and give: the window's
applications, queue tickets, documents, consultations, pre-reviews, hand-overs, supplements.
Protobuf stays at this edge; common.proto's shared parts are hall.infra.convert's."""
from __future__ import annotations

import json

from hall.domain import acceptance, documents, intake_result
from hall.domain.errors import InvalidArgument
from hall.infra import convert
from hall.v1 import common_pb2, frontdesk_pb2 as fd, gateway_pb2

TICKET_FIELDS = ("id", "number", "site", "sector", "item_code", "priority", "status", "taken_at",
                 "called_at", "window", "case_no", "transferred_from")


# --- in ------------------------------------------------------------------------------------

def materials_from(msgs) -> tuple:
    return tuple({"name": m.name, "form": m.form, "count": m.count} for m in msgs)


def application(r) -> acceptance.Application:
    """An application as the window's AcceptApplicationRequest gives it."""
    return acceptance.Application(r.idempotency_key, r.item_code, convert.applicant_from_pb(r.applicant),
                                  materials_from(r.materials), convert.delivery_from_pb(r.delivery), r.address)


def submission(r) -> intake_result.Submission:
    """The domain's submission from a SubmitApplicationRequest; duplicate condition answers are refused."""
    answers = {c.condition: c.applies for c in r.conditions}
    if len(answers) != len(r.conditions):
        raise InvalidArgument("each condition is answered once")
    return intake_result.Submission(application(r), answers, r.refusal_reason, r.refusal_basis)


def problems(msgs) -> list[dict]:
    return [{"name": p.name, "problem": p.problem} for p in msgs]


# --- out -----------------------------------------------------------------------------------

def materials_to(items) -> list:
    return [common_pb2.Material(name=m["name"], form=m["form"], count=m["count"]) for m in items or []]


def actor_to(d: dict | None):
    d = d or {}
    return common_pb2.Actor(staff_id=d.get("staff_id", ""), role=d.get("role", ""),
                            site=d.get("site", ""), department=d.get("department", ""))


def accept_response(a, district_link: str = "") -> gateway_pb2.AcceptApplicationResponse:
    """A handlers.Accepted as the window's AcceptApplication answers it (with a street node's
    warning that the district cannot be reached, if it cannot)."""
    rec = a.record
    return gateway_pb2.AcceptApplicationResponse(
        case_no=rec["_id"], status="accepted", accepted_at=rec["accepted_at"], replayed=a.replayed,
        district_link=district_link,
        promised=convert.deadline_to_pb(a.deadlines.promised.to_dict()),
        legal=convert.deadline_to_pb(a.deadlines.legal.to_dict()))


def case_view(rec: dict) -> common_pb2.CaseView:
    return common_pb2.CaseView(
        case_no=rec["_id"], site=rec["site"], item_code=rec["item"]["code"],
        item_name=rec["item"]["name"], status="accepted",
        departments=rec["item"]["departments"], applicant=convert.applicant_to_pb(rec["applicant"]),
        accepted_at=rec["accepted_at"], catalogue_version=rec["catalogue_version"],
        delivery=convert.DELIVERY_PB[rec["delivery"]],
        history=[convert.history_to_pb({**e, "service": "intake"}, "受理") for e in rec["out"]])


def submit_response(s, cat, district_link: str = "") -> fd.SubmitApplicationResponse:
    """A handlers.Submitted: an accepted case with its deadlines, or a refusal or supplement notice."""
    rec = s.record
    common = dict(document=document(rec["documents"][0], cat), checks=checks(rec.get("checks")),
                  replayed=s.replayed, licence_library=s.library, district_link=district_link)
    if s.deadlines is None:
        return fd.SubmitApplicationResponse(result=rec["result"], **common)
    return fd.SubmitApplicationResponse(
        result="accepted", case_no=rec["_id"], **common,
        promised=convert.deadline_to_pb(s.deadlines.promised.to_dict()),
        legal=convert.deadline_to_pb(s.deadlines.legal.to_dict()))


def ticket(t) -> fd.QueueTicket:
    """A handlers.Ticket."""
    rec = t.record
    return fd.QueueTicket(**{f: rec.get("_id" if f == "id" else f) or "" for f in TICKET_FIELDS},
                          recalls=rec.get("recalls", 0), waiting_ahead=t.ahead, warning=t.warning,
                          replayed=t.replayed)


def checks(items) -> list:
    return [fd.MaterialCheck(**c) for c in items or []]


def document(doc: dict | None, cat) -> fd.AcceptanceDocument | None:
    """A document, printable: its HTML names the site as the catalogue `cat` knows it."""
    if not doc:
        return None
    site = cat.site(doc["site"])
    html = documents.render_html(doc, site.name if site else doc["site"])
    return fd.AcceptanceDocument(number=doc["number"], kind=doc["kind"], title=doc["title"],
                                 verification_code=doc["code"], case_no=doc["case_no"], site=doc["site"],
                                 issued_at=doc["issued_at"], issued_by=actor_to(doc["issued_by"]), html=html,
                                 detail_json=json.dumps(doc["body"], ensure_ascii=False))


def guide(g: dict) -> fd.ItemGuide:
    return fd.ItemGuide(**{**g, "materials": [fd.GuideMaterial(**m) for m in g["materials"]],
                           "fees": [fd.GuideFee(**f) for f in g["fees"]]})


def draft(d: dict) -> fd.SubmitApplicationRequest:
    return fd.SubmitApplicationRequest(
        item_code=d["item_code"], applicant=convert.applicant_to_pb(d["applicant"]),
        materials=materials_to(d["materials"]),
        conditions=[fd.ConditionAnswer(condition=c, applies=v) for c, v in d["conditions"].items()])


def consultation(rec: dict, replayed: bool) -> fd.Consultation:
    return fd.Consultation(id=rec["_id"], site=rec["site"], question=rec["question"],
                           guide=guide(rec["guide"]), pre_guidance=bool(rec["notes"]),
                           pre_guidance_notes=rec["notes"], draft=draft(rec["draft"]),
                           at=rec["at"], actor=actor_to(rec["actor"]), replayed=replayed)


def prereview(p, cat) -> fd.Prereview:
    """A handlers.Prereview: the online application with its five-day standing."""
    rec = p.record
    doc = rec["documents"][0] if rec.get("documents") else None
    return fd.Prereview(id=rec["_id"], site=rec["site"], item_code=rec["item"]["code"],
                        item_name=rec["item"]["name"], applicant_name=rec["applicant"]["name"],
                        status=rec["status"], received_at=rec["received_at"], case_no=rec.get("case_no", ""),
                        checks=checks(rec["checks"]), visit=rec.get("visit", ""), replayed=p.replayed,
                        document=document(doc, cat), **p.standing)


def handover(h: dict, overdue: bool) -> fd.PaperHandover:
    return fd.PaperHandover(case_no=h["case_no"], department=h["department"], site=h["site"],
                            handed_by=actor_to(h["handed_by"]), handed_at=h["handed_at"],
                            materials=materials_to(h["materials"]), pieces=h["pieces"], due_at=h["due_at"],
                            signed_by=actor_to(h["signed_by"]), signed_at=h["signed_at"], overdue=overdue)


def supplement(r: dict, replayed: bool = False) -> fd.SupplementRecord:
    return fd.SupplementRecord(
        id=r["_id"], case_no=r["case_no"], site=r["site"], department=r["department"],
        reason=r["reason"], materials=[fd.MaterialShortfall(**m) for m in r["materials"]],
        deadline_days=r["deadline_days"], requested_at=r["requested_at"], status=r["status"],
        submitted_at=r.get("submitted_at", ""), submitted_by=actor_to(r.get("submitted_by")),
        submitted=materials_to(r.get("submitted")), replayed=replayed)
