"""The back office through the gateway: worklists, claims, joint review with a supplement,
the chief representative's sign-off, the approval seal, e-licences, held cases."""
from __future__ import annotations

import json
import random
import threading
import uuid
from datetime import date, datetime

import grpc
import pytest

from hall.domain.clock import SHANGHAI
from hall.tools.sample import company, person
from hall.v1 import backoffice_pb2 as bo, backoffice_pb2_grpc, licences_pb2 as lic
from tests.integration.hallfixture import eventually
from tests.integration.helpers import publish_raw

REQUESTS = {"Worklist": bo.BackOfficeWorklistRequest, "GetReview": bo.GetReviewRequest,
            "ListHeld": bo.ListHeldRequest, "DispatchHeld": bo.DispatchHeldRequest,
            "VerifyDecision": bo.VerifyDecisionRequest, "FindLicences": lic.FindLicencesRequest,
            "VerifyLicence": lic.VerifyLicenceRequest}


class Desk:
    """A member of staff (or, without a role, anyone) calling hall.v1.BackOffice."""

    def __init__(self, hall, role="", department="", staff_id=""):
        self.stub = backoffice_pb2_grpc.BackOfficeStub(hall.channel)
        self.md = hall.client(role, department=department, staff_id=staff_id).metadata if role else ()

    def __getattr__(self, rpc):
        request = REQUESTS.get(rpc, bo.ReviewActionRequest)
        return lambda **kw: getattr(self.stub, rpc)(request(**kw), metadata=self.md, timeout=10)


def refused(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def chief(hall, catalogue, dept) -> Desk:
    return Desk(hall, "chief", dept, catalogue.departments[dept].chief.staff_id)


def accept(hall, item, applicant):
    clerk = hall.client("clerk")
    case_no = clerk.accept(item.code, applicant).case_no
    eventually(lambda: Desk(hall, "supervisor").GetReview(case_no=case_no), "the case on the worklists")
    return case_no


def child(view, dept):
    return next(d for d in view.departments if d.department == dept)


@pytest.fixture(scope="module")
def three(catalogue):
    """A joint licence item of exactly three departments, accepted at the hall today."""
    return next(i for i in catalogue.items.values() if len(i.departments) == 3 and i.licence_type
                and not i.classified and not catalogue.missing_delegations(i.code, date.today()))


def test_a_joint_case_of_three_departments_waits_for_one_departments_supplement(hall, catalogue, three):
    applicant = company(random.Random(51))
    case_no = accept(hall, three, applicant)
    lead, second, third = three.departments
    for d in three.departments:
        line = next(i for i in Desk(hall, "reviewer", d).Worklist(limit=500).items if i.case_no == case_no)
        assert (line.child_no, line.mode, line.status) == (f"{case_no}-{d}", "general", "pending")
        assert line.days_left > 0 and line.due_date
    first, other = Desk(hall, "reviewer", third, "R-1"), Desk(hall, "reviewer", third, "R-2")
    first.Claim(case_no=case_no)
    code, msg = refused(lambda: other.Claim(case_no=case_no))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "already claimed by R-1" in msg
    view = first.RequestSupplement(case_no=case_no, reason="材料需补正", materials=[
        bo.MaterialProblem(name="店招设计效果图", problem="未标明尺寸和材质")])
    assert child(view, third).status == "supplement" and child(view, third).promised.paused
    code, _ = refused(lambda: first.Decide(case_no=case_no, outcome="approve"))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    for d in (lead, second):
        view = Desk(hall, "reviewer", d).Decide(case_no=case_no, outcome="approve")
    assert view.outcome == "" and child(view, second).status == "approved"
    # The applicant brings the corrected drawing to a window; intake publishes the fact.
    publish_raw(hall.settings, "intake", "supplement_submitted", {
        "id": str(uuid.uuid4()), "type": "supplement_submitted", "case_no": case_no, "site": "LX00",
        "at": datetime.now(SHANGHAI).isoformat(), "actor": {"staff_id": "clerk-LX00", "role": "clerk", "site": "LX00"},
        "data": {"department": third, "materials": [{"name": "店招设计效果图", "form": "original", "count": 1}]},
        "schema": 1})
    eventually(lambda: child(first.GetReview(case_no=case_no), third).status == "pending", "the review to resume")
    view = first.Decide(case_no=case_no, outcome="approve")
    assert view.outcome == "approved" and view.verification_code and view.licence_number
    steps = [s.action for s in child(view, third).history]
    assert steps == ["claimed", "supplement_requested", "supplement_submitted", "decided"]
    history = eventually(lambda: (h := [e.event_type for e in hall.client("clerk").case(case_no).history])
                         and "case_decided" in h and h, "the case history")
    assert {"supplement_requested", "supplement_submitted", "decision_made"} <= set(history)
    found = Desk(hall, "clerk").FindLicences(holder_id=applicant["id_number"]).licences
    assert [(x.licence_number, x.licence_type, x.status) for x in found] == [(view.licence_number, three.licence_type, "valid")]
    assert Desk(hall).VerifyLicence(licence_number=view.licence_number).holder_name == applicant["name"]


def test_a_reviewer_cannot_act_on_or_read_another_departments_case(hall, catalogue, three):
    case_no = accept(hall, three, person(random.Random(52)))
    stranger = next(d for d in sorted(catalogue.departments) if d not in three.departments)
    desk = Desk(hall, "reviewer", stranger)
    before = hall.db("approval").reviews.find_one({"_id": case_no})["rev"]
    hidden = (grpc.StatusCode.NOT_FOUND, f"no case numbered {case_no!r}")  # as if it did not exist
    for call in (lambda: desk.Claim(case_no=case_no), lambda: desk.Decide(case_no=case_no, outcome="approve"),
                 lambda: desk.GetReview(case_no=case_no)):
        assert refused(call) == hidden
    for call in (lambda: desk.Decide(case_no=case_no, outcome="approve", department=three.lead),
                 lambda: desk.RequestSupplement(case_no=case_no, department=three.lead, reason="x"),
                 lambda: desk.Worklist(department=three.lead)):
        code, _ = refused(call)
        assert code == grpc.StatusCode.PERMISSION_DENIED
    assert case_no not in [i.case_no for i in desk.Worklist(limit=500).items]
    assert hall.db("approval").reviews.find_one({"_id": case_no})["rev"] == before


def test_of_reviewers_claiming_at_once_exactly_one_gets_the_case(hall, items):
    case_no = accept(hall, items["single"], person(random.Random(53)))
    results = []
    desks = [Desk(hall, "reviewer", items["single"].lead, f"R-{n}") for n in range(6)]  # signed in first

    def claim(n):
        try:
            desks[n].Claim(case_no=case_no)
            results.append(f"R-{n}")
        except grpc.RpcError as exc:
            results.append(exc.code())
    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1 and results.count(grpc.StatusCode.FAILED_PRECONDITION) == 5
    view = Desk(hall, "supervisor").GetReview(case_no=case_no)
    assert view.departments[0].claimed_by == winners[0]


def test_a_rejection_needs_the_named_chief_and_its_sealed_document_verifies_until_changed(hall, catalogue, items):
    item = items["single"]
    case_no = accept(hall, item, person(random.Random(54)))
    reviewer = Desk(hall, "reviewer", item.lead)
    view = reviewer.Decide(case_no=case_no, outcome="reject", reason="申请材料与实际不符",
                           legal_basis="《中华人民共和国行政许可法》第三十八条第二款")
    assert view.departments[0].status == "signoff" and view.outcome == ""
    code, _ = refused(lambda: Desk(hall, "chief", item.lead, "not-the-chief").SignOff(case_no=case_no, approve=True))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    view = chief(hall, catalogue, item.lead).SignOff(case_no=case_no, approve=True, note="同意")
    assert view.outcome == "rejected" and view.departments[0].signed_by == catalogue.departments[item.lead].chief.staff_id
    anyone = Desk(hall)
    ok = anyone.VerifyDecision(verification_code=view.verification_code.lower().replace("-", ""))
    assert ok.valid and ok.status == "valid" and ok.case_no == case_no and ok.department == item.lead
    changed = json.loads(ok.document_json) | {"outcome": "approved"}
    bad = anyone.VerifyDecision(verification_code=view.verification_code,
                                document_json=json.dumps(changed, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    assert not bad.valid and bad.status == "tampered"
    hall.db("approval").reviews.update_one(  # someone edits the stored document behind the service's back
        {"_id": case_no}, {"$set": {"decision.document_json": ok.document_json.replace("申请材料", "申请人")}})
    assert anyone.VerifyDecision(verification_code=view.verification_code).status == "tampered"
    code, _ = refused(lambda: anyone.VerifyDecision(verification_code="AAAA-BBBB-CCCC-DDDD"))
    assert code == grpc.StatusCode.NOT_FOUND


def test_procedures_and_extensions_move_the_worklist_clock_and_a_revocation_is_recorded(hall, catalogue):
    item = next(i for i in catalogue.items.values() if len(i.departments) == 1 and i.licence_type
                and i.promised_limit > 0 and not i.classified and not catalogue.missing_delegations(i.code, date.today()))
    applicant = person(random.Random(55))
    case_no = accept(hall, item, applicant)
    reviewer, head = Desk(hall, "reviewer", item.lead), chief(hall, catalogue, item.lead)
    view = reviewer.StartProcedure(case_no=case_no, kind="现场勘验", expected_days=5, note="现场勘验约需5个工作日，期间不计入审批时限")
    assert view.departments[0].status == "procedure" and view.departments[0].promised.paused
    reviewer.EndProcedure(case_no=case_no)
    reviewer.RequestExtension(case_no=case_no, reason="需补充核查经营场所")
    view = head.DecideExtension(case_no=case_no, approve=True)
    assert view.departments[0].promised.limit_days == item.promised_limit + 10
    line = next(i for i in reviewer.Worklist(mine=True).items if i.case_no == case_no)
    assert (line.extension, line.limit_days) == ("granted", item.promised_limit + 10)
    view = reviewer.Decide(case_no=case_no, outcome="approve")
    number = view.licence_number
    assert Desk(hall).VerifyLicence(licence_number=number).status == "valid"
    code, _ = refused(lambda: reviewer.Decide(case_no=case_no, outcome="approve"))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    view = head.Revoke(case_no=case_no, reason="以欺骗手段取得许可", legal_basis="《中华人民共和国行政许可法》第六十九条")
    assert view.revoked and view.outcome == "approved"  # the decision stays as issued, revoked on record
    assert Desk(hall).VerifyLicence(licence_number=number).status == "revoked"
    assert Desk(hall).VerifyDecision(verification_code=view.verification_code).status == "revoked"
    assert not Desk(hall, "clerk").FindLicences(holder_id=applicant["id_number"]).licences


def accepted_event(case_no, departments):
    today = datetime.now(SHANGHAI)
    return {"id": str(uuid.uuid4()), "type": "case_accepted", "case_no": case_no, "site": "LX00",
            "at": today.isoformat(), "actor": {"staff_id": "clerk-LX00", "role": "clerk", "site": "LX00"},
            "data": {"item": {"code": "QR-TEST", "name": "测试事项", "departments": departments,
                              "promised_limit": 5, "legal_limit": 20, "case_type": "承诺件"},
                     "applicant": person(), "delivery": "pickup", "accepted_on": today.date().isoformat(),
                     "promised_due": today.date().isoformat(), "legal_due": today.date().isoformat()},
            "schema": 1}


def test_a_case_nobody_is_responsible_for_is_held_for_the_supervisor_until_sent_on(hall):
    case_no = f"LX00-20260101-{uuid.uuid4().int % 10**8:08d}"
    publish_raw(hall.settings, "intake", "case_accepted", accepted_event(case_no, []))
    supervisor = Desk(hall, "supervisor")
    held = eventually(lambda: [c for c in supervisor.ListHeld(limit=500).cases if c.case_no == case_no], "the held case")
    assert held[0].reason and not held[0].dispatched
    code, _ = refused(lambda: Desk(hall, "reviewer", "SYJ").ListHeld())
    assert code == grpc.StatusCode.PERMISSION_DENIED
    code, msg = refused(lambda: supervisor.DispatchHeld(case_no=case_no, departments=["NOPE"]))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "NOPE" in msg
    done = supervisor.DispatchHeld(case_no=case_no, departments=["SYJ"], note="按职责属食药局")
    assert done.dispatched and list(done.departments) == ["SYJ"]
    eventually(lambda: case_no in [i.case_no for i in Desk(hall, "reviewer", "SYJ").Worklist(limit=500).items],
               "the dispatched case on the worklist")
    assert case_no not in [c.case_no for c in supervisor.ListHeld(limit=500).cases]
    code, _ = refused(lambda: supervisor.DispatchHeld(case_no=case_no, departments=["SYJ"]))
    assert code == grpc.StatusCode.FAILED_PRECONDITION


def test_professional_window_departments_take_their_cases_in_their_own_queue(hall):
    case_no = f"LX00-20260101-{uuid.uuid4().int % 10**8:08d}"
    publish_raw(hall.settings, "intake", "case_accepted", accepted_event(case_no, ["GAFJ"]))
    police = Desk(hall, "reviewer", "GAFJ")
    line = eventually(lambda: [i for i in police.Worklist(queue="professional", limit=500).items if i.case_no == case_no],
                      "the professional queue")[0]
    assert line.queue == "professional"
    assert case_no not in [i.case_no for i in police.Worklist(queue="backoffice", limit=500).items]
