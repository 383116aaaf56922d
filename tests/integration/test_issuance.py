"""统一出件 at the issuance positions, through the gateway: pickup code by text message, identity
and proxy checks, signed receipts, once only, refusals logged, and 就近取件 at a street centre."""
from __future__ import annotations

import hashlib
import random
from datetime import date

import grpc
import pytest

from hall.domain.clock import issuance_clock
from hall.domain.workdays import WorkCalendar
from hall.tools.sample import person, resident_id
from hall.v1 import issuance_pb2 as pb, issuance_pb2_grpc
from tests.integration.hallfixture import eventually, on_worklists

SIGNATURE = b"\x89PNG signature pad capture"


class Desk:
    """One member of staff at the Issuance part of the gateway."""

    def __init__(self, hall, role="issuer", site="LX00"):
        client = hall.client(role, site=site)
        self.stub, self.md, self.actor = issuance_pb2_grpc.IssuanceStub(client.channel), client.metadata, client.actor

    def __getattr__(self, name):
        method = getattr(self.stub, name)
        return lambda request: method(request, metadata=self.md, timeout=10)


def messages(hall, case_no, kind=None):
    """The text messages the recording notifier kept for a case, oldest first."""
    query = {"case_no": case_no, **({"kind": kind} if kind else {})}
    return list(hall.db("delivery").messages.find(query).sort("_id", 1))


def decided_case(hall, item, applicant, site="LX00", **accept):
    """Accept at `site`, let every department approve; the case number."""
    clerk = hall.client("clerk", site=site)
    case_no = clerk.accept(item.code, applicant, site=site, **accept).case_no
    eventually(lambda: clerk.case(case_no).status == "routed", "routing")
    on_worklists(hall, case_no, item.departments)
    for dept in item.departments:
        hall.client("reviewer", department=dept).decide(case_no, "approve")
    return case_no


def refused(call, code: grpc.StatusCode, text: str) -> str:
    with pytest.raises(grpc.RpcError) as err:
        call()
    assert err.value.code() == code, err.value.details()
    assert text in err.value.details()
    return err.value.details()


def test_the_applicant_collects_at_a_position_against_code_and_id_with_a_signed_receipt_once(hall, items):
    applicant = person(random.Random(61))
    case_no = decided_case(hall, items["single"], applicant)
    desk = Desk(hall)
    [sms] = eventually(lambda: messages(hall, case_no, "pickup_code"), "the pickup code message")
    assert sms["to"] == applicant["phone"] and sms["code"] in sms["text"] and case_no in sms["text"]
    view = desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no))
    assert view.status == "ready" and view.pickup_site == "LX00" and view.notices_sent == 1
    assert view.documents[0] == "准予行政许可决定书"
    receipt = desk.Collect(pb.CollectRequest(case_no=case_no, pickup_code=sms["code"], position="LX00-I03",
                                             id_number=applicant["id_number"], signature=SIGNATURE))
    assert (receipt.position, receipt.as_proxy, receipt.recipient_name) == ("LX00-I03", False, applicant["name"])
    assert receipt.signature_sha256 == hashlib.sha256(SIGNATURE).hexdigest()
    assert receipt.recipient_id.endswith(applicant["id_number"][-4:]) and "*" in receipt.recipient_id
    assert list(receipt.documents) == list(view.documents) and receipt.issuer.staff_id == desk.actor.staff_id
    refused(lambda: desk.Collect(pb.CollectRequest(case_no=case_no, pickup_code=sms["code"], position="LX00-I03",
                                                   id_number=applicant["id_number"], signature=SIGNATURE)),
            grpc.StatusCode.FAILED_PRECONDITION, "issued once only")
    closed = eventually(lambda: (v := hall.client("clerk").case(case_no)).status == "closed" and v, "closing")
    issued = next(h for h in closed.history if h.event_type == "result_issued")
    assert issued.actor.staff_id == desk.actor.staff_id


def test_a_wrong_code_person_site_or_position_is_refused_changes_nothing_and_is_logged(hall, items):
    applicant = person(random.Random(62))
    case_no = decided_case(hall, items["single"], applicant)
    [sms] = eventually(lambda: messages(hall, case_no, "pickup_code"), "the pickup code message")
    desk, street = Desk(hall), Desk(hall, site="LX05")
    wrong = str((int(sms["code"]) + 1) % 10**6).zfill(6)

    def collect(d, **kw):
        args = {"case_no": case_no, "pickup_code": sms["code"], "id_number": applicant["id_number"],
                "position": "LX00-I01", "signature": SIGNATURE, **kw}
        return lambda: d.Collect(pb.CollectRequest(**args))
    refused(collect(desk, pickup_code=wrong), grpc.StatusCode.PERMISSION_DENIED, "pickup code does not match")
    refused(collect(desk, id_number=resident_id(random.Random(63))), grpc.StatusCode.PERMISSION_DENIED,
            "neither the applicant")
    refused(collect(street, position="LX05-I01"), grpc.StatusCode.PERMISSION_DENIED, "collected at LX00")
    refused(collect(desk, position="LX00-W01"), grpc.StatusCode.INVALID_ARGUMENT, "not an issuance position")
    refused(collect(desk, signature=b""), grpc.StatusCode.INVALID_ARGUMENT, "must be signed")
    refused(collect(Desk(hall, role="clerk")), grpc.StatusCode.PERMISSION_DENIED, "for issuer")
    view = desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no))
    assert view.status == "ready" and not view.receipt.receipt_no
    log = [e for e in view.log if e.action == "refused:collect"]
    assert len(log) == 5 and all(e.at for e in log)
    assert {e.actor.staff_id for e in log} == {desk.actor.staff_id, street.actor.staff_id}
    assert any("pickup code does not match" in e.note for e in log)
    collect(desk)()  # the right person with the right code still collects


def test_a_proxy_collects_only_after_the_authorization_is_recorded(hall, items):
    applicant, proxy = person(random.Random(64)), person(random.Random(65))
    case_no = decided_case(hall, items["single"], applicant)
    [sms] = eventually(lambda: messages(hall, case_no, "pickup_code"), "the pickup code message")
    desk = Desk(hall)
    collect = pb.CollectRequest(case_no=case_no, pickup_code=sms["code"], id_number=proxy["id_number"],
                                position="LX00-I02", signature=SIGNATURE)
    refused(lambda: desk.Collect(collect), grpc.StatusCode.PERMISSION_DENIED, "recorded proxy")
    refused(lambda: desk.RecordProxy(pb.RecordProxyRequest(
        case_no=case_no, name=proxy["name"], id_number=proxy["id_number"], letter="", valid_until="2099-12-31")),
        grpc.StatusCode.INVALID_ARGUMENT, "授权委托书")
    view = Desk(hall, role="clerk").RecordProxy(pb.RecordProxyRequest(
        case_no=case_no, name=proxy["name"], id_number=proxy["id_number"], letter="WT-2026-017",
        valid_until="2099-12-31"))
    assert view.proxies[0].startswith(proxy["name"]) and proxy["id_number"] not in view.proxies[0]
    receipt = desk.Collect(collect)
    assert receipt.as_proxy and receipt.recipient_name == proxy["name"] and receipt.letter == "WT-2026-017"


def test_the_issuance_limit_runs_ten_working_days_from_the_decision(hall, items):
    case_no = decided_case(hall, items["single"], person(random.Random(66)))
    view = eventually(lambda: Desk(hall).GetIssuance(pb.GetIssuanceRequest(case_no=case_no)), "the result")
    due = issuance_clock(date.fromisoformat(view.decided_on)).deadline(WorkCalendar.load()).due_date
    assert view.issue_due.limit_days == 10 and view.issue_due.due_date == due.isoformat()
    assert 0 < view.issue_due.days_left <= 10


def test_a_street_case_travels_there_with_a_hand_over_and_is_collected_there(hall, catalogue):
    item = next(i for i in catalogue.items.values() if i.street_allowed and not i.classified
                and len(i.departments) == 1 and not catalogue.missing_delegations(i.code, date.today()))
    applicant = person(random.Random(67))
    case_no = decided_case(hall, item, applicant, site="LX05")
    hall_desk, street = Desk(hall), Desk(hall, site="LX05")
    view = eventually(lambda: hall_desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no)), "the result")
    assert (view.status, view.pickup_site, view.handover.to_site) == ("forwarding", "LX05", "LX05")
    assert view.handover.handover_no and not view.handover.received_at and not messages(hall, case_no)
    refused(lambda: hall_desk.ReceiveHandover(pb.ReceiveHandoverRequest(case_no=case_no)),
            grpc.StatusCode.FAILED_PRECONDITION, "goes to LX05")
    view = street.ReceiveHandover(pb.ReceiveHandoverRequest(case_no=case_no))
    assert view.status == "ready" and view.handover.received_by.staff_id == street.actor.staff_id
    queue = street.ListPickupQueue(pb.ListPickupQueueRequest())
    assert case_no in [e.case_no for e in queue.entries]
    [sms] = messages(hall, case_no, "pickup_code")
    assert "大明湖街道" in sms["text"]
    receipt = street.Collect(pb.CollectRequest(case_no=case_no, pickup_code=sms["code"], position="LX05-I01",
                                               id_number=applicant["id_number"], signature=SIGNATURE))
    assert receipt.position == "LX05-I01"


def test_asking_for_a_result_that_is_not_decided_or_does_not_exist_says_which(hall, items):
    clerk = hall.client("clerk")
    case_no = clerk.accept(items["single"].code, person(random.Random(68))).case_no
    desk = Desk(hall)
    refused(lambda: desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no)),
            grpc.StatusCode.FAILED_PRECONDITION, "not yet decided")
    refused(lambda: desk.GetIssuance(pb.GetIssuanceRequest(case_no="LX00-20200101-99999")),
            grpc.StatusCode.NOT_FOUND, "LX00-20200101-99999")


def test_the_originals_handed_in_at_acceptance_are_returned_with_the_result(hall, items):
    applicant = person(random.Random(67))
    case_no = decided_case(hall, items["single"], applicant, materials=[
        {"name": "房屋所有权证", "form": "original", "count": 1},
        {"name": "身份证复印件", "form": "copy", "count": 2}])
    view = eventually(lambda: Desk(hall).GetIssuance(pb.GetIssuanceRequest(case_no=case_no)), "the result")
    assert "退还原件：房屋所有权证 ×1" in view.documents
    assert not any("身份证复印件" in d for d in view.documents)


def test_five_wrong_pickup_codes_lock_pickup_until_the_issuer_checks_the_applicants_identity(hall, items):
    applicant = person(random.Random(64))
    case_no = decided_case(hall, items["single"], applicant)
    [sms] = eventually(lambda: messages(hall, case_no, "pickup_code"), "the pickup code message")
    desk = Desk(hall)
    wrong = str((int(sms["code"]) + 1) % 10**6).zfill(6)

    def collect(code, d=desk):
        return lambda: d.Collect(pb.CollectRequest(case_no=case_no, pickup_code=code, position="LX00-I01",
                                                   id_number=applicant["id_number"], signature=SIGNATURE))
    for left in (4, 3, 2, 1):
        refused(collect(wrong), grpc.StatusCode.PERMISSION_DENIED, f"{left} more wrong code")
    refused(collect(wrong, Desk(hall)), grpc.StatusCode.PERMISSION_DENIED, "now locked")  # any issuer counts
    refused(collect(sms["code"]), grpc.StatusCode.FAILED_PRECONDITION, "locked after 5 wrong codes")
    view = desk.GetIssuance(pb.GetIssuanceRequest(case_no=case_no))
    assert view.code_locked and view.wrong_codes == 5 and view.status == "ready"
    [locked] = eventually(lambda: messages(hall, case_no, "code_locked"), "the applicant told of the lock")
    assert locked["to"] == applicant["phone"] and "已锁定" in locked["text"]
    # only the issuer, only with the applicant's own identity document
    unlock = lambda d, id_number: lambda: d.UnlockPickup(pb.UnlockPickupRequest(  # noqa: E731
        case_no=case_no, id_number=id_number, note="身份证原件核验，人证一致"))
    refused(unlock(Desk(hall, role="clerk"), applicant["id_number"]), grpc.StatusCode.PERMISSION_DENIED, "issuer")
    refused(unlock(desk, resident_id(random.Random(65))), grpc.StatusCode.PERMISSION_DENIED, "does not match the applicant")
    refused(unlock(desk, ""), grpc.StatusCode.INVALID_ARGUMENT, "id_number")
    view = unlock(desk, applicant["id_number"])()
    assert not view.code_locked and view.wrong_codes == 0
    entry = [e for e in view.log if e.action == "code_unlocked"][-1]
    assert entry.actor.staff_id == desk.actor.staff_id and applicant["id_number"] not in entry.note
    [new] = eventually(lambda: messages(hall, case_no, "code_unlocked"), "the new code sent")
    assert new["to"] == applicant["phone"] and new["code"] != sms["code"]
    refused(collect(sms["code"]), grpc.StatusCode.PERMISSION_DENIED, "does not match")  # the old code is void
    assert collect(new["code"])().recipient_name == applicant["name"]
