"""Front-desk records to and from frontdesk.proto messages; protobuf stays at this edge."""
from __future__ import annotations

import json

from hall.infra import convert
from hall.v1 import common_pb2, frontdesk_pb2 as fd

TICKET_FIELDS = ("id", "number", "site", "sector", "item_code", "priority", "status", "taken_at",
                 "called_at", "window", "case_no", "transferred_from")


def materials_from(msgs) -> tuple:
    return tuple({"name": m.name, "form": m.form, "count": m.count} for m in msgs)


def materials_to(items) -> list:
    return [common_pb2.Material(name=m["name"], form=m["form"], count=m["count"]) for m in items or []]


def actor_to(d: dict | None):
    d = d or {}
    return common_pb2.Actor(staff_id=d.get("staff_id", ""), role=d.get("role", ""),
                            site=d.get("site", ""), department=d.get("department", ""))


def ticket(t: dict, waiting_ahead: int = 0, warning: str = "", replayed: bool = False) -> fd.QueueTicket:
    return fd.QueueTicket(**{f: t.get("_id" if f == "id" else f) or "" for f in TICKET_FIELDS},
                     recalls=t.get("recalls", 0), waiting_ahead=waiting_ahead, warning=warning,
                     replayed=replayed)


def checks(items) -> list:
    return [fd.MaterialCheck(**c) for c in items or []]


def document(doc: dict | None, html: str = "") -> fd.AcceptanceDocument | None:
    if not doc:
        return None
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
