"""Between protobuf messages and the plain dicts the domain uses; protobuf stays at the edge."""
from __future__ import annotations

import json

from hall.domain.errors import InvalidArgument
from hall.v1 import common_pb2 as pb

KINDS = {pb.Applicant.PERSON: "person", pb.Applicant.COMPANY: "company"}
DELIVERY = {pb.PICKUP: "pickup", pb.COURIER: "courier", pb.DELIVERY_UNSPECIFIED: "pickup"}


def delivery_from_pb(value: int) -> str:
    """The delivery way of a request; a value the proto does not define is a bad request."""
    if value not in DELIVERY:
        raise InvalidArgument(f"delivery must be PICKUP or COURIER, not {int(value)}")
    return DELIVERY[value]
DELIVERY_PB = {"pickup": pb.PICKUP, "courier": pb.COURIER}


def applicant_from_pb(msg: pb.Applicant) -> dict:
    return {"kind": KINDS.get(msg.kind, ""), "name": msg.name, "id_number": msg.id_number,
            "legal_representative": msg.legal_representative, "phone": msg.phone}


def applicant_to_pb(d: dict) -> pb.Applicant:
    kind = {v: k for k, v in KINDS.items()}.get(d.get("kind", ""), pb.Applicant.KIND_UNSPECIFIED)
    return pb.Applicant(kind=kind, name=d.get("name", ""), id_number=d.get("id_number", ""),
                        legal_representative=d.get("legal_representative", ""), phone=d.get("phone", ""))


def deadline_to_pb(d: dict | None) -> pb.Deadline | None:
    if not d:
        return None
    return pb.Deadline(limit_days=d["limit_days"], due_date=d["due_date"], days_left=d["days_left"],
                       estimated=d["estimated"], paused=d["paused"])


def history_to_pb(e: dict, summary: str) -> pb.HistoryEntry:
    a = e.get("actor", {})
    return pb.HistoryEntry(event_id=e["id"], event_type=e["type"], at=e["at"],
                           actor=pb.Actor(staff_id=a.get("staff_id", ""), role=a.get("role", ""),
                                          site=a.get("site", ""), department=a.get("department", "")),
                           service=e.get("service", ""), summary=summary,
                           detail_json=json.dumps(e.get("data", {}), ensure_ascii=False, default=str))
