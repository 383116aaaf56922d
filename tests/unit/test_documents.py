"""The acceptance documents: numbers, verification codes, and escaped printable HTML."""
from __future__ import annotations

import re
from datetime import date, datetime

from hall.domain import documents
from hall.domain.clock import SHANGHAI

AT = datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI)
ITEM = {"code": "QR02201000-370102-SCJG", "name": "有限责任公司设立登记"}
CLERK = {"staff_id": "clerk-7", "role": "clerk", "site": "LX00", "department": ""}


def make(kind, body, applicant=None, case_no=""):
    return documents.make(kind, documents.number(kind, "LX00", date(2026, 3, 10), 42), "LX00", AT, CLERK,
                          ITEM, applicant or {"name": "王伟", "id_number": "370102199001011237"}, body, case_no)


def test_verification_codes_avoid_look_alike_characters_and_differ():
    codes = {documents.verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", c) for c in codes)


def test_each_kind_has_its_title_and_numbered_prefix():
    assert documents.number("refusal_decision", "LX05", date(2026, 3, 10), 7) == "LX05-BYSL-20260310-00007"
    doc = make("acceptance_notice", {"promised_limit": 2, "promised_due": "2026-03-12",
                                     "legal_due": "2026-03-31", "deemed_from": ""}, case_no="LX00-20260310-00042")
    assert doc["title"] == "受理通知书" and doc["number"] == "LX00-SL-20260310-00042"
    html = documents.render_html(doc, "历下区政务服务中心")
    assert "LX00-20260310-00042" in html and "2026-03-12" in html and doc["code"] in html
    assert "历下区政务服务中心（受理专用章）" in html and "2026-03-10" in html


def test_a_supplement_notice_lists_every_problem_numbered():
    doc = make("supplement_notice", {"problems": [{"name": "公司章程", "problem": "未提交"},
                                                  {"name": "申请书", "problem": "需原件1份，收到原件0份"}]})
    html = documents.render_html(doc, "历下区政务服务中心")
    assert "一次性告知" in html and "1. 公司章程：未提交" in html and "2. 申请书" in html


def test_a_refusal_states_reason_basis_and_the_right_to_appeal():
    doc = make("refusal_decision", {"reason": "不属于本机关职权范围", "legal_basis": "第三十二条"})
    html = documents.render_html(doc, "历下区政务服务中心")
    assert "不予受理" in html and "不属于本机关职权范围" in html and "行政复议" in html and "行政诉讼" in html


def test_request_text_is_escaped_in_print():
    doc = make("refusal_decision", {"reason": "<script>alert(1)</script>", "legal_basis": "x"},
               applicant={"name": "<b>王</b>", "id_number": "1"})
    html = documents.render_html(doc, "中心")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;王" in html


def test_a_deemed_acceptance_says_from_when_it_counts():
    doc = make("acceptance_notice", {"promised_limit": 2, "promised_due": "2026-03-12", "legal_due": "2026-03-31",
                                     "deemed_from": "2026-02-10"}, case_no="LX00-20260310-00042")
    assert "自2026-02-10收到材料之日起即为受理" in documents.render_html(doc, "中心")
