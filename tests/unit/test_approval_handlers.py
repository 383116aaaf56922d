"""Approval's commands over the in-memory fakes, through the real unit of work: claims, decisions
and their seals, the events they hand to the outbox at once, and the catalogue in force."""
from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from hall.domain.errors import AlreadyDone, InvalidArgument, NotFound, PermissionDenied, StepOutOfOrder
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM
from hall.domain.ports import UnitOfWork
from hall.domain.seal import Keyring
from services.approval import handlers
from tests.unit.backoffice_fixtures import CAT, NOW, SECRET, chief, reviewer, routed
from tests.unit.fakes import FixedCatalogue, MemoryOutbox
from tests.unit.test_approval_repository_contract import (LICENCE_TYPE, InMemoryReviewRepository,
                                                          InMemorySealKeys, held_event)

CASE = "LX00-20260302-00001"


@pytest.fixture
def uow():
    outbox = MemoryOutbox()
    return UnitOfWork(InMemoryReviewRepository(outbox), outbox, FixedCatalogue(CAT), CAT.calendar, lambda: NOW)


@pytest.fixture
def keyring():
    return Keyring(InMemorySealKeys(), SECRET)


def open_case(uow, departments=("SYJ",), **kw):
    review = routed(list(departments), **kw)
    handlers.open_review(uow, new_event("case_routed", review.case_no, review.site, NOW, SYSTEM.to_dict(),
                                        review.routed))
    return review.case_no


def types(uow):
    return [e["type"] for e in uow.outbox.published]


def test_a_routed_case_opens_one_review_on_each_departments_worklist(uow):
    case_no = open_case(uow, ("SCJG", "SYJ"))
    assert not handlers.open_review(uow, new_event("case_routed", case_no, "LX00", NOW, SYSTEM.to_dict(),
                                                   routed(["SCJG", "SYJ"]).routed))
    for dept in ("SCJG", "SYJ"):
        lines = handlers.worklist(uow, reviewer(dept), "", 50, False)
        assert [(line["case_no"], line["status"]) for line in lines] == [(case_no, "pending")]


def test_the_first_claim_wins_and_a_second_reviewer_is_refused(uow, keyring):
    open_case(uow)
    review = handlers.take_step(uow, keyring, reviewer("SYJ", 1), CASE, "claim", {})
    assert review.children["SYJ"].claimed_by == "R-SYJ-1" and review.rev == 1
    with pytest.raises(StepOutOfOrder, match="already claimed by R-SYJ-1"):
        handlers.take_step(uow, keyring, reviewer("SYJ", 2), CASE, "claim", {})
    with pytest.raises(AlreadyDone):
        handlers.take_step(uow, keyring, reviewer("SYJ", 1), CASE, "claim", {})
    assert [r.children["SYJ"].claimed_by for r in uow.repo.worklist("SYJ", 50, False)] == ["R-SYJ-1"]
    assert [line["case_no"] for line in handlers.worklist(uow, reviewer("SYJ", 1), "", 50, False, mine=True)] == [CASE]


def test_a_claim_on_another_departments_case_is_refused_before_the_case_is_read(uow, keyring):
    open_case(uow)
    with pytest.raises(PermissionDenied):
        handlers.take_step(uow, keyring, reviewer("CGJ"), CASE, "claim", {"department": "SYJ"})
    with pytest.raises(NotFound):
        handlers.take_step(uow, keyring, reviewer("CGJ"), CASE, "claim", {})
    with pytest.raises(InvalidArgument):
        handlers.take_step(uow, keyring, reviewer("SYJ"), "", "claim", {})


def test_an_approval_is_sealed_and_its_events_leave_through_the_outbox_at_once(uow, keyring):
    open_case(uow, licence_type=LICENCE_TYPE)
    review = handlers.take_step(uow, keyring, reviewer("SYJ"), CASE, "decide", {"outcome": "approve"})
    assert review.outcome == "approved" and types(uow) == ["decision_made", "case_decided", "licence_issued"]
    check = handlers.verify_decision(uow, keyring, review.decision["code"].lower().replace("-", ""))
    assert (check.status, check.message, check.review.case_no) == ("valid", "文书真实有效", CASE)
    forged = check.sealed["document_json"].replace("approved", "rejected")
    assert handlers.verify_decision(uow, keyring, review.decision["code"], forged).status == "tampered"
    [(found, status)] = handlers.find_licences(uow, keyring, review.licence["holder_id"])
    assert status == "valid" and handlers.verify_licence(uow, keyring, found.licence["licence_number"])[1] == "valid"


def test_the_pipelines_decision_claims_the_case_and_a_rejection_waits_for_the_named_chief(uow, keyring):
    open_case(uow)
    review, dept, at = handlers.record_decision(uow, keyring, reviewer("SYJ"), CASE, {
        "outcome": "reject", "reason": "材料不全", "legal_basis": "《行政许可法》第三十八条"})
    assert (dept, at, review.children["SYJ"].claimed_by) == ("SYJ", NOW, "R-SYJ-1")
    assert review.children["SYJ"].status == "signoff" and not review.outcome and types(uow) == []
    with pytest.raises(PermissionDenied):
        handlers.take_step(uow, keyring, reviewer("SYJ", 2), CASE, "sign_off", {"approve": True})
    review = handlers.take_step(uow, keyring, chief("SYJ"), CASE, "sign_off", {"approve": True})
    assert review.outcome == "rejected" and types(uow) == ["decision_made", "case_decided"]


def test_a_chief_named_by_a_catalogue_reload_signs_off_without_a_restart(uow, keyring):
    open_case(uow)
    handlers.take_step(uow, keyring, reviewer("SYJ"), CASE, "decide", {
        "outcome": "reject", "reason": "材料不全", "legal_basis": "《行政许可法》第三十八条"})
    syj = CAT.departments["SYJ"]
    new_chief = dataclasses.replace(syj.chief, staff_id="LX-SYJ-09")
    uow.catalogue._catalogue = dataclasses.replace(CAT, departments=MappingProxyType(
        {**CAT.departments, "SYJ": dataclasses.replace(syj, chief=new_chief)}))
    with pytest.raises(PermissionDenied, match="LX-SYJ-09"):
        handlers.take_step(uow, keyring, chief("SYJ"), CASE, "sign_off", {"approve": True})
    successor = dataclasses.replace(chief("SYJ"), staff_id="LX-SYJ-09")
    assert handlers.take_step(uow, keyring, successor, CASE, "sign_off", {"approve": True}).outcome == "rejected"


def test_a_held_case_is_sent_on_once_to_known_departments(uow):
    handlers.hold_case(uow, held_event(CASE))
    with pytest.raises(InvalidArgument, match="unknown: XXX"):
        handlers.dispatch_held(uow, chief("SYJ"), CASE, ["SYJ", "XXX"], "")
    with pytest.raises(NotFound):
        handlers.dispatch_held(uow, chief("SYJ"), "LX00-20260302-00009", ["SYJ"], "")
    sent = handlers.dispatch_held(uow, chief("SYJ"), CASE, ["SYJ", "SYJ"], "请办理")
    assert sent["dispatch"]["departments"] == ["SYJ"] and types(uow) == ["case_dispatched"]
    assert uow.outbox.published[0]["data"]["held_reason"] == "无对应责任部门"
    assert handlers.held_cases(uow, False, 50) == []


def test_the_applicants_supplement_resumes_the_waiting_review_and_a_stray_one_is_ignored(uow, keyring):
    open_case(uow)
    handlers.take_step(uow, keyring, reviewer("SYJ"), CASE, "request_supplement", {
        "reason": "图不清", "materials": [{"name": "平面图", "problem": "未标尺寸"}]})
    submitted = new_event("supplement_submitted", CASE, "LX00", NOW, SYSTEM.to_dict(),
                          {"materials": ["平面图"]})
    handlers.resume_review(uow, submitted)
    assert uow.repo.get(CASE).children["SYJ"].status != "supplement"
    handlers.resume_review(uow, new_event("supplement_submitted", "LX00-20260302-00009", "LX00", NOW,
                                          SYSTEM.to_dict(), {}))
