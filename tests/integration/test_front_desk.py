"""The front desk through the gateway: formal review with exactly one documented result,
consultation, documents by verification code, paper hand-over, street centres, bad input."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import grpc
import pytest

from hall.tools.sample import company, person
from hall.v1 import common_pb2, frontdesk_pb2 as fd, frontdesk_pb2_grpc
from tests.integration.hallfixture import eventually

SETUP = "QR02201000-370102-SCJG"    # 有限责任公司设立登记: 商事登记, one condition, SFZ/BDCQZ lines
CHANGE = "QR02201002-370102-SCJG"   # 有限责任公司变更登记: 营业执照 may come from the licence library


class Desk:
    """The FrontDesk service as one member of staff: desk.Call(Message(...))."""

    def __init__(self, hall, role, site="LX00", department="", staff_id=""):
        self.client = hall.client(role, site=site, department=department, staff_id=staff_id)
        self.stub = frontdesk_pb2_grpc.FrontDeskStub(hall.channel)

    def __getattr__(self, method):
        return lambda request: getattr(self.stub, method)(request, metadata=self.client.metadata, timeout=20)


def applicant_pb(a: dict) -> common_pb2.Applicant:
    kind = {"person": common_pb2.Applicant.PERSON, "company": common_pb2.Applicant.COMPANY}[a["kind"]]
    return common_pb2.Applicant(kind=kind, name=a["name"], id_number=a["id_number"],
                                legal_representative=a.get("legal_representative", ""))


def complete(item, leave_out=(), answers=None, form_of=None) -> list[common_pb2.Material]:
    """Every required material of the checklist, in its form (originals for 原件及复印件 twice)."""
    out = []
    for m in item.materials:
        if m.condition and not (answers or {}).get(m.condition) or m.name in leave_out:
            continue
        forms = ["original", "copy"] if m.form == "original_and_copy" else [m.form]
        out += [common_pb2.Material(name=m.name, form=(form_of or {}).get(m.name, f), count=m.count)
                for f in forms]
    return out


def submission(item, applicant, materials, answers=None, **kw) -> fd.SubmitApplicationRequest:
    conds = list(dict.fromkeys(m.condition for m in item.materials if m.condition))
    return fd.SubmitApplicationRequest(
        idempotency_key=kw.pop("key", uuid.uuid4().hex), item_code=item.code,
        applicant=applicant_pb(applicant), materials=materials,
        conditions=[fd.ConditionAnswer(condition=c, applies=bool((answers or {}).get(c))) for c in conds],
        **kw)


def code_of(call):
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def test_complete_materials_are_accepted_with_a_notice_the_case_keeps_and_anyone_can_verify(hall, catalogue):
    item, firm = catalogue.item(SETUP), company(random.Random(41))
    clerk = Desk(hall, "clerk")
    r = clerk.SubmitApplication(submission(item, firm, complete(item)))
    assert r.result == "accepted" and r.case_no.startswith("LX00-")
    assert r.document.title == "受理通知书" and r.document.case_no == r.case_no
    assert {c.status for c in r.checks} == {"met", "not_needed"}
    assert r.promised.limit_days == item.promised_limit and r.promised.due_date
    printed = Desk(hall, "reviewer", department="SCJG").GetDocument(
        fd.GetDocumentRequest(verification_code=r.document.verification_code.lower()))
    assert printed.number == r.document.number and firm["name"] in printed.html
    assert r.document.verification_code in printed.html and "<script" not in printed.html
    stored = hall.db("intake").cases.find_one({"_id": r.case_no})
    assert stored["documents"][0]["code"] == r.document.verification_code
    eventually(lambda: clerk.client.case(r.case_no).status == "routed", "the accepted case to be routed")


def test_missing_and_defective_materials_are_all_listed_in_one_notice_and_no_case_is_made(hall, catalogue):
    item = catalogue.item(SETUP)
    first, second = item.materials[0].name, item.materials[1].name
    before = hall.db("intake").cases.count_documents({})
    r = Desk(hall, "clerk").SubmitApplication(submission(
        item, company(), complete(item, leave_out=[first], form_of={second: "copy"},
                                  answers={item.materials[5].condition: True}),
        answers={item.materials[5].condition: True}))
    missing = complete(item, answers={item.materials[5].condition: True})  # the full list asked
    assert r.result == "supplement" and not r.case_no
    listed = {c.name: c.status for c in r.checks if c.status in ("missing", "defective")}
    assert listed == {first: "missing", second: "defective"}
    assert r.document.title == "一次性告知书" and first in r.document.html and second in r.document.html
    assert "原件" in r.document.html and len(missing) > 2
    assert hall.db("intake").cases.count_documents({}) == before


def test_a_classified_item_gets_a_refusal_decision_with_reason_and_legal_basis(hall, items):
    item = items["classified"]
    r = Desk(hall, "clerk").SubmitApplication(submission(item, person(), []))
    assert r.result == "refused" and not r.case_no
    assert r.document.title == "不予受理决定书"
    assert "第三十二条" in r.document.detail_json and "保密" in r.document.html
    assert "行政复议" in r.document.html


def test_the_clerk_may_refuse_with_reason_and_basis_but_not_without_a_basis(hall, catalogue):
    item, clerk = catalogue.item(SETUP), Desk(hall, "clerk")
    code, msg = code_of(lambda: clerk.SubmitApplication(submission(
        item, company(), complete(item), refusal_reason="申请事项依法不需要取得行政许可")))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "legal basis" in msg
    r = clerk.SubmitApplication(submission(item, company(), complete(item),
                                           refusal_reason="申请事项依法不需要取得行政许可",
                                           refusal_basis="《行政许可法》第三十二条第一款第（一）项"))
    assert r.result == "refused" and "不需要取得行政许可" in r.document.html


def test_a_retried_submission_returns_the_same_result_and_creates_nothing_twice(hall, catalogue):
    item, firm, clerk = catalogue.item(SETUP), company(), Desk(hall, "clerk")
    a = clerk.SubmitApplication(submission(item, firm, complete(item), key="fd-retry-1"))
    b = clerk.SubmitApplication(submission(item, firm, complete(item), key="fd-retry-1"))
    assert (b.case_no, b.replayed, b.document.verification_code) == \
        (a.case_no, True, a.document.verification_code)
    assert hall.db("intake").cases.count_documents({"idem": "LX00/fd-retry-1"}) == 1
    c = clerk.SubmitApplication(submission(item, firm, [], key="fd-retry-2"))
    d = clerk.SubmitApplication(submission(item, firm, [], key="fd-retry-2"))
    assert c.result == d.result == "supplement" and d.replayed
    assert c.document.number == d.document.number
    assert hall.db("intake").submissions.count_documents({"_id": "LX00/fd-retry-2"}) == 1


@pytest.mark.parametrize("change, words", [
    (lambda r: setattr(r, "item_code", "XK99999000-370102-XXX"), "unknown item code"),
    (lambda r: setattr(r.applicant, "id_number", "91370102MA3C0000X0"), "not valid"),
    (lambda r: r.materials[0].__setattr__("count", -2), "count"),
    (lambda r: r.materials[0].__setattr__("name", "名" * 300), "name"),
    (lambda r: r.materials[0].__setattr__("name", "不在清单上的材料"), "not on the checklist"),
    (lambda r: r.materials[0].__setattr__("form", "photo"), "form"),
    (lambda r: r.conditions.pop(), "answer whether each condition applies"),
    (lambda r: r.conditions.add(condition="自己编的条件", applies=True), "has no condition"),
    (lambda r: setattr(r, "ticket_id", "LX00/2020-01-01/SSDJ/1"), "no ticket"),
])
def test_bad_input_is_refused_clearly_and_creates_nothing(hall, catalogue, change, words):
    item = catalogue.item(SETUP)
    req = submission(item, company(), complete(item))
    change(req)
    db = hall.db("intake")
    before = db.cases.count_documents({}), db.submissions.count_documents({})
    code, msg = code_of(lambda: Desk(hall, "clerk").SubmitApplication(req))
    assert code == grpc.StatusCode.INVALID_ARGUMENT or (code == grpc.StatusCode.NOT_FOUND and "ticket" in msg)
    assert words in msg
    assert (db.cases.count_documents({}), db.submissions.count_documents({})) == before


def test_a_street_centre_accepts_its_items_under_its_own_code_and_refuses_the_others(hall, catalogue):
    from datetime import date
    street = next(i for i in catalogue.items.values() if i.street_allowed and not i.classified
                  and not catalogue.missing_delegations(i.code, date.today()) and len(i.departments) == 1)
    clerk = Desk(hall, "clerk", site="LX07")
    ok = clerk.SubmitApplication(submission(street, person(), complete(street)))
    assert ok.result == "accepted" and ok.case_no.startswith("LX07-") and ok.document.site == "LX07"
    assert "文东" in ok.document.html  # the street centre's own name on the receipt
    item = catalogue.item(SETUP)
    no = clerk.SubmitApplication(submission(item, company(), complete(item)))
    assert no.result == "refused" and "street service centre" in no.document.html
    code, _ = code_of(lambda: clerk.SubmitApplication(submission(street, person(), complete(street), site="LX00")))
    assert code == grpc.StatusCode.PERMISSION_DENIED


def test_a_consultation_answers_with_the_guide_and_its_draft_is_accepted_at_the_window(hall, catalogue, items):
    clerk = Desk(hall, "clerk")
    firm = company()
    c = clerk.Consult(fd.ConsultRequest(idempotency_key=uuid.uuid4().hex, item_code=SETUP,
                                        question="开公司要带什么材料？", applicant=applicant_pb(firm)))
    item = catalogue.item(SETUP)
    assert [m.name for m in c.guide.materials] == [m.name for m in item.materials]
    assert c.guide.promised_limit == item.promised_limit and "LX00-W09" in c.guide.windows
    assert set(c.guide.conditions) == {m.condition for m in item.materials if m.condition}
    draft = c.draft
    draft.idempotency_key, draft.consultation_id = uuid.uuid4().hex, c.id
    r = clerk.SubmitApplication(draft)
    assert r.result == "accepted"
    assert hall.db("intake").cases.find_one({"_id": r.case_no})["consultation_id"] == c.id
    joint = clerk.Consult(fd.ConsultRequest(idempotency_key=uuid.uuid4().hex, item_code=items["joint"].code))
    assert joint.pre_guidance and any("联审联办" in n for n in joint.pre_guidance_notes)
    assert not c.pre_guidance or item.special_procedures


def test_paper_goes_to_the_department_which_signs_once_and_unsigned_paper_is_flagged_late(hall, catalogue):
    item = catalogue.item(SETUP)
    r = Desk(hall, "clerk").SubmitApplication(submission(item, company(), complete(item)))
    scjg = Desk(hall, "reviewer", department="SCJG")
    listed = {h.case_no: h for h in scjg.ListHandovers(fd.ListHandoversRequest(unsigned_only=True)).handovers}
    h = listed[r.case_no]
    assert h.pieces == sum(m.count for m in complete(item)) and not h.signed_at and not h.overdue
    later = (datetime.fromisoformat(h.due_at) + timedelta(minutes=1)).isoformat()
    late = scjg.ListHandovers(fd.ListHandoversRequest(overdue_only=True, as_of=later)).handovers
    assert r.case_no in {x.case_no for x in late}
    outside = code_of(lambda: Desk(hall, "reviewer", department="SYJ").SignHandover(
        fd.SignHandoverRequest(case_no=r.case_no)))  # a department outside the case: as if missing
    assert outside == (grpc.StatusCode.NOT_FOUND, f"no case numbered {r.case_no!r}")
    signed = scjg.SignHandover(fd.SignHandoverRequest(case_no=r.case_no))
    assert signed.signed_by.staff_id == "reviewer-SCJG" and signed.signed_at
    code, msg = code_of(lambda: scjg.SignHandover(fd.SignHandoverRequest(case_no=r.case_no)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "signed" in msg
    late = scjg.ListHandovers(fd.ListHandoversRequest(overdue_only=True, as_of=later)).handovers
    assert r.case_no not in {x.case_no for x in late}
