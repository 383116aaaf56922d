"""形式审核 against the real catalogue's checklists: every shortfall listed at once, conditions
answered, e-licences of trust level A/B in place of paper, and exactly one result."""
from __future__ import annotations

from datetime import date

import pytest

from hall.catalogue import load_catalogue
from hall.domain import formal_review, intake_result
from hall.domain.acceptance import Application
from hall.domain.errors import InvalidArgument

CAT = load_catalogue()
SETUP = CAT.item("QR02201000-370102-SCJG")   # 有限责任公司设立登记
CONDITION = "经营范围涉及法律、行政法规规定须前置审批的"
AGENT = "委托代理人办理的"
TODAY = date(2026, 3, 10)
FIRM = {"kind": "company", "name": "济南泉水餐饮有限公司", "id_number": "91370102AY4CL12THT",
        "legal_representative": "王伟"}


def paper(item, answers=None, skip=(), forms=None):
    out = []
    for m in item.materials:
        if (m.condition and not (answers or {}).get(m.condition)) or m.name in skip:
            continue
        for f in (["original", "copy"] if m.form == "original_and_copy" else [m.form]):
            out.append({"name": m.name, "form": (forms or {}).get(m.name, f), "count": m.count})
    return out


def answers(**on):
    return {CONDITION: on.get("prior", False), AGENT: on.get("agent", False)}


def test_a_complete_set_meets_every_line_and_conditions_that_do_not_apply_are_not_needed():
    f = formal_review.review(SETUP, paper(SETUP), answers(), {})
    assert f.complete and not f.problems
    assert {c.name for c in f.checks if c.status == "not_needed"} == {
        m.name for m in SETUP.materials if m.condition}


def test_every_missing_or_defective_material_is_listed_at_once():
    first, second = SETUP.materials[0].name, SETUP.materials[1].name
    f = formal_review.review(SETUP, paper(SETUP, skip=[first], forms={second: "copy"}),
                             answers(prior=True), {})
    assert not f.complete
    names = [p["name"] for p in f.problems]
    assert names == [first, second, next(m.name for m in SETUP.materials if m.condition == CONDITION)]
    assert "未提交" in f.problems[0]["problem"] and "原件" in f.problems[1]["problem"]


def test_too_few_copies_is_a_defect_that_names_the_count():
    item = CAT.item("XK00101000-370102-FGW")   # 项目申请报告: 2 originals
    materials = paper(item)
    materials[0]["count"] = 1
    f = formal_review.review(item, materials, {AGENT: False}, {})
    assert f.problems == [{"name": "项目申请报告", "problem": "需原件2份，收到原件1份"}]


def test_electronic_files_stand_in_for_paper_only_online():
    files = [{**m, "form": "electronic"} for m in paper(SETUP)]
    assert not formal_review.review(SETUP, files, answers(), {}).complete
    assert formal_review.review(SETUP, files, answers(), {}, online=True).complete


@pytest.mark.parametrize("given, words", [
    ({}, "answer whether each condition applies"),
    ({CONDITION: True}, "answer whether each condition applies"),
    ({**answers(), "自己编的条件": True}, "has no condition"),
])
def test_every_condition_must_be_answered_and_only_the_items_own(given, words):
    with pytest.raises(InvalidArgument, match=words):
        formal_review.review(SETUP, paper(SETUP), given, {})


def test_a_material_not_on_the_checklist_is_refused_rather_than_ignored():
    with pytest.raises(InvalidArgument, match="not on the checklist"):
        formal_review.review(SETUP, paper(SETUP) + [{"name": "营业执照副本", "form": "copy", "count": 1}],
                             answers(), {})


def licence(type_, trust="A", status="valid", valid_to="", holder=FIRM["id_number"]):
    return {"licence_number": f"{type_}-1", "licence_type": type_, "holder_id": holder, "status": status,
            "trust_level": trust, "valid_from": "2020-01-01", "valid_to": valid_to}


@pytest.mark.parametrize("lic, usable", [
    (licence("BDCQZ"), True), (licence("BDCQZ", trust="B"), True),
    (licence("BDCQZ", trust="C"), False), (licence("BDCQZ", status="revoked"), False),
    (licence("BDCQZ", valid_to="2026-03-09"), False), (licence("BDCQZ", holder="someone-else"), False),
])
def test_only_a_valid_a_or_b_licence_of_the_applicant_replaces_paper(lic, usable):
    line = next(m for m in SETUP.materials if m.licence_type == "BDCQZ")
    found = formal_review.usable_licences([lic], FIRM["id_number"], TODAY)
    f = formal_review.review(SETUP, paper(SETUP, skip=[line.name]), answers(), found)
    check = next(c for c in f.checks if c.name == line.name)
    assert (check.status, check.by) == (("met", "elicence") if usable else ("missing", ""))


def submission(materials, **kw):
    app = Application("k1", SETUP.code, FIRM, tuple(materials))
    return intake_result.Submission(app, answers(), **kw)


def decide(sub, item=SETUP, site="LX00", undelegated=()):
    return intake_result.decide(sub, item, CAT.site(site), TODAY, undelegated, {})


def test_exactly_one_result_accepted_supplement_or_refused():
    assert decide(submission(paper(SETUP))).kind == "accepted"
    assert decide(submission(paper(SETUP)[1:])).kind == "supplement"
    refused = decide(submission(paper(SETUP)), site="LX05")
    assert refused.kind == "refused" and "street" in refused.reason and "第三十二条" in refused.legal_basis
    undelegated = decide(submission(paper(SETUP)), undelegated=("SCJG",))
    assert undelegated.kind == "refused" and "委托授权书" in undelegated.reason
    classified = next(i for i in CAT.items.values() if i.classified)
    r = decide(intake_result.Submission(Application("k", classified.code, FIRM, ()), {}), item=classified)
    assert r.kind == "refused" and "国家秘密" in r.legal_basis


def test_a_clerks_refusal_needs_a_reason_and_a_basis_and_wins_over_a_complete_set():
    with pytest.raises(InvalidArgument, match="legal basis"):
        intake_result.validate_submission(submission(paper(SETUP), refusal_reason="不属于许可事项"))
    r = decide(submission(paper(SETUP), refusal_reason="不属于许可事项", refusal_basis="第三十二条第一款第（一）项"))
    assert (r.kind, r.reason) == ("refused", "不属于许可事项")


def test_an_unknown_item_is_bad_input_not_a_refusal():
    with pytest.raises(InvalidArgument, match="unknown item"):
        intake_result.decide(submission([]), None, CAT.site("LX00"), TODAY, (), {})


def test_paper_received_leaves_out_electronic_files_and_licence_lines():
    line = next(m for m in SETUP.materials if m.licence_type == "BDCQZ")
    presented = paper(SETUP, skip=[line.name]) + [{"name": SETUP.materials[0].name, "form": "electronic", "count": 1}]
    f = formal_review.review(SETUP, presented, answers(), {"BDCQZ": licence("BDCQZ")})
    handed = formal_review.paper_received(presented, f)
    assert all(p["form"] != "electronic" for p in handed) and line.name not in {p["name"] for p in handed}
