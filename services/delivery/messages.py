"""Delivery's protobuf edge: the issuance desk's requests decoded, results as messages."""
from __future__ import annotations

import hashlib

from hall.domain.errors import InvalidArgument
from hall.domain.issuance import Issuance
from hall.domain.proxy import mask
from hall.infra import convert
from hall.v1 import common_pb2, gateway_pb2, issuance_pb2 as pb
from services.delivery.handlers import Shown

MAX_SIGNATURE = 1024 * 1024


def signature(captured: bytes) -> str:
    """The sha256 of the signature pad's capture, kept on the receipt ('' when none)."""
    if len(captured) > MAX_SIGNATURE:
        raise InvalidArgument("the signature capture is larger than 1 MB")
    return hashlib.sha256(captured).hexdigest() if captured else ""


def collect(r: pb.CollectRequest) -> dict:
    return dict(case_no=r.case_no, pickup_code=r.pickup_code, id_number=r.id_number, position=r.position)


def pickup_response(case_no: str, i: Issuance) -> gateway_pb2.RecordPickupResponse:
    return gateway_pb2.RecordPickupResponse(case_no=case_no, issued_at=receipt(i).issued_at, status="issued")


def _actor(d: dict | None) -> common_pb2.Actor:
    d = d or {}
    return common_pb2.Actor(staff_id=d.get("staff_id", ""), role=d.get("role", ""),
                            site=d.get("site", ""), department=d.get("department", ""))


def receipt(i: Issuance) -> pb.PickupReceipt:
    r = i.issued or {}
    if r.get("via") != "window":
        return pb.PickupReceipt()
    who = r["recipient"]
    return pb.PickupReceipt(
        receipt_no=r["receipt_no"], case_no=i.case_no, issued_at=r["at"], position=r["position"],
        issuer=_actor(r["by"]), recipient_name=who["name"], recipient_id=who["id_number"],
        as_proxy=who["as"] == "proxy", letter=who["letter"], documents=r["documents"],
        signature_sha256=r["signature"])


def shipment(s: dict | None) -> pb.ShipmentView | None:
    if not s:
        return None
    return pb.ShipmentView(carrier="EMS", waybill=s["waybill"], attempt=s["attempt"], address=s["address"],
                           zone=s["zone"], fee_fen=s["fee_fen"], status=s["status"],
                           track=[pb.ShipmentStep(status=t["status"], at=t["at"], location=t["location"],
                                                  note=t["note"]) for t in s["track"]])


def view(shown: Shown) -> pb.IssuanceView:
    """Everything about one result, with its Art. 44 clock and every action and refusal."""
    i = shown.issuance
    log = [{"at": h["at"], "actor": h["actor"], "action": h["action"], "note": h["note"]} for h in i.history]
    log += [{"at": r["at"], "actor": r["actor"], "action": f"refused:{r['action']}", "note": r["reason"]}
            for r in shown.refusals]
    h = i.handover
    return pb.IssuanceView(
        case_no=i.case_no, site=i.site, status=i.status, outcome=i.outcome,
        delivery=convert.DELIVERY_PB[i.delivery], pickup_site=i.pickup_site, documents=i.documents,
        decided_on=i.decided_on, reminders=i.reminders,
        issue_due=common_pb2.Deadline(limit_days=10, due_date=i.issue_due, days_left=shown.days_left),
        proxies=[f"{p['name']} {mask(p['id_number'])} until {p['valid_until']}" for p in i.proxies],
        shipment=shipment(i.shipment), past_shipments=[shipment(s) for s in i.past_shipments],
        handover=pb.Handover(handover_no=h["no"], from_site=h["from"], to_site=h["to"], sent_at=h["sent_at"],
                             received_at=h["received_at"], received_by=_actor(h["received_by"])) if h else None,
        receipt=receipt(i), archive_no=(i.archived or {}).get("archive_no", ""),
        log=[pb.LogEntry(at=e["at"], actor=_actor(e["actor"]), action=e["action"], note=e["note"])
             for e in sorted(log, key=lambda e: e["at"])],
        notices_sent=shown.notices_sent, wrong_codes=i.wrong_codes, code_locked=bool(i.code_locked))
