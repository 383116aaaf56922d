"""Beyond the first visit: online pre-review and Art. 32's five days, e-licences replacing
paper, and a department's supplement request met at the window (补正)."""
from __future__ import annotations

from datetime import datetime, timedelta

import grpc

from hall.domain.clock import SHANGHAI
from hall.tools.sample import company
from hall.v1 import backoffice_pb2 as bo, common_pb2, frontdesk_pb2 as fd
from tests.integration.hallfixture import eventually
from tests.integration.test_back_office import Desk as BackOffice, child
from tests.integration.test_front_desk import CHANGE, SETUP, Desk, code_of, complete, submission


def today():
    return datetime.now(SHANGHAI).date()


def electronic(item, **kw):
    return [common_pb2.Material(name=m.name, form="electronic", count=m.count) for m in complete(item, **kw)]


def test_an_online_application_waits_for_pre_review_and_is_returned_with_one_list(hall, catalogue):
    item, portal, clerk = catalogue.item(SETUP), Desk(hall, "system", site="LX00"), Desk(hall, "clerk")
    pre = portal.SubmitOnline(submission(item, company(), electronic(item, leave_out=[item.materials[0].name])))
    assert pre.status == "waiting" and pre.notice_due > today().isoformat() and not pre.deemed_accepted
    assert pre.id in {p.id for p in clerk.ListPrereviews(fd.ListPrereviewsRequest(status="waiting")).prereviews}
    code, msg = code_of(lambda: clerk.PassPrereview(fd.PassPrereviewRequest(id=pre.id)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and item.materials[0].name in msg
    back = clerk.ReturnPrereview(fd.ReturnPrereviewRequest(id=pre.id, problems=[
        fd.MaterialShortfall(name=item.materials[1].name, problem="未经全体股东签署")]))
    assert back.status == "returned" and back.document.title == "一次性告知书"
    assert item.materials[0].name in back.document.html and "未经全体股东签署" in back.document.html
    code, _ = code_of(lambda: clerk.ReturnPrereview(fd.ReturnPrereviewRequest(id=pre.id)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION


def test_a_complete_online_application_passes_into_a_case_without_a_visit_for_online_items(hall, catalogue):
    item, clerk = catalogue.item(SETUP), Desk(hall, "clerk")
    pre = Desk(hall, "system").SubmitOnline(submission(item, company(), electronic(item)))
    passed = clerk.PassPrereview(fd.PassPrereviewRequest(id=pre.id))
    assert passed.status == "passed" and passed.case_no.startswith("LX00-") and passed.visit == "none"
    assert passed.document.title == "受理通知书"
    case = hall.db("intake").cases.find_one({"_id": passed.case_no})
    assert case["accepted_on"] == today().isoformat() and case["handover"] is None  # nothing on paper


def test_without_a_notice_within_five_working_days_the_application_counts_as_accepted_from_receipt(hall, catalogue):
    item, clerk = catalogue.item(SETUP), Desk(hall, "clerk")
    pre = Desk(hall, "system").SubmitOnline(submission(item, company(), electronic(item, leave_out=[item.materials[0].name])))
    received = (today() - timedelta(days=21)).isoformat()  # the application came in three weeks ago
    hall.db("intake").prereviews.update_one({"_id": pre.id}, {"$set": {"received_on": received}})
    listed = {p.id: p for p in clerk.ListPrereviews(fd.ListPrereviewsRequest()).prereviews}[pre.id]
    assert listed.deemed_accepted and listed.days_left < 0
    code, msg = code_of(lambda: clerk.ReturnPrereview(fd.ReturnPrereviewRequest(id=pre.id)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and f"accepted from {received}" in msg
    passed = clerk.PassPrereview(fd.PassPrereviewRequest(id=pre.id))
    case = hall.db("intake").cases.find_one({"_id": passed.case_no})
    assert case["accepted_on"] == received and case["deemed_from"] == received
    assert "第三十二条" in passed.document.html


def test_a_valid_e_licence_from_the_library_replaces_the_paper_material(hall, catalogue):
    firm, clerk = company(), Desk(hall, "clerk")
    setup = clerk.SubmitApplication(submission(catalogue.item(SETUP), firm, complete(catalogue.item(SETUP))))
    reviewer = BackOffice(hall, "reviewer", "SCJG")
    eventually(lambda: reviewer.GetReview(case_no=setup.case_no), "the case on SCJG's worklist")
    licence = reviewer.Decide(case_no=setup.case_no, outcome="approve").licence_number
    assert licence.startswith("YYZZ")
    change = catalogue.item(CHANGE)
    paper_licence = next(m.name for m in change.materials if m.licence_type == "YYZZ")
    r = clerk.SubmitApplication(submission(change, firm, complete(change, leave_out=[paper_licence])))
    assert r.result == "accepted" and r.licence_library == "ok"
    met = {c.name: c for c in r.checks}[paper_licence]
    assert (met.status, met.by, met.licence_number) == ("met", "elicence", licence)
    stranger = clerk.SubmitApplication(submission(change, company(), complete(change, leave_out=[paper_licence])))
    assert stranger.result == "supplement" and paper_licence in stranger.document.html


def test_a_supplement_request_waits_at_the_front_desk_until_a_clerk_receives_the_materials(hall, catalogue):
    item, clerk = catalogue.item(SETUP), Desk(hall, "clerk")
    case_no = clerk.SubmitApplication(submission(item, company(), complete(item))).case_no
    reviewer = BackOffice(hall, "reviewer", "SCJG", "R-fd")
    eventually(lambda: reviewer.GetReview(case_no=case_no), "the case on SCJG's worklist")
    reviewer.Claim(case_no=case_no)
    reviewer.RequestSupplement(case_no=case_no, reason="章程需补正", materials=[
        bo.MaterialProblem(name="公司章程", problem="缺少全体股东签字")])
    waiting = eventually(lambda: [s for s in clerk.ListSupplements(fd.ListSupplementsRequest()).supplements
                                  if s.case_no == case_no], "the request on the front desk's list")[0]
    assert (waiting.department, waiting.status, waiting.materials[0].problem) == ("SCJG", "waiting", "缺少全体股东签字")
    code, msg = code_of(lambda: clerk.SubmitSupplement(fd.SubmitSupplementRequest(
        idempotency_key="sup-1", case_no=case_no)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "corrected materials" in msg
    brought = [common_pb2.Material(name="公司章程", form="original", count=1)]
    done = clerk.SubmitSupplement(fd.SubmitSupplementRequest(idempotency_key="sup-1", case_no=case_no,
                                                             materials=brought))
    again = clerk.SubmitSupplement(fd.SubmitSupplementRequest(idempotency_key="sup-1", case_no=case_no,
                                                              materials=brought))
    assert done.status == "submitted" and again.replayed and again.submitted_at == done.submitted_at
    code, _ = code_of(lambda: clerk.SubmitSupplement(fd.SubmitSupplementRequest(
        idempotency_key="sup-2", case_no=case_no, materials=brought)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    eventually(lambda: child(reviewer.GetReview(case_no=case_no), "SCJG").status == "pending",
               "the department's review to resume")
    assert case_no not in {s.case_no for s in clerk.ListSupplements(fd.ListSupplementsRequest()).supplements}
    stored = hall.db("intake").supplements.find_one({"case_no": case_no})
    assert [e["type"] for e in stored["out"]] == ["supplement_submitted"]
