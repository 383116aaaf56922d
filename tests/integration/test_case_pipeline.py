"""A case travels the whole way through real processes: accepted → routed → decided → issued → closed."""
from __future__ import annotations

import random

import grpc
import pytest

from hall.tools.sample import company, person
from tests.integration.hallfixture import eventually, on_worklists


def pickup_code(hall, case_no):
    """What the applicant's phone would show: the recorded text message."""
    doc = hall.db("delivery").issuances.find_one({"_id": case_no}, {"notices": 1})
    return doc and doc["notices"][0]["code"]


def run_case(hall, item, applicant, outcome="approve", **kw):
    clerk = hall.client("clerk")
    accepted = clerk.accept(item.code, applicant, **kw)
    eventually(lambda: clerk.case(accepted.case_no).status == "routed", "routing")
    on_worklists(hall, accepted.case_no, item.departments)
    for dept in item.departments:
        hall.client("reviewer", department=dept).decide(
            accepted.case_no, outcome, **({"reason": "材料不符合法定条件", "legal_basis": "《行政许可法》第三十八条"}
                                          if outcome == "reject" else {}))
    code = eventually(lambda: pickup_code(hall, accepted.case_no), "the pickup code")
    hall.client("issuer").pickup(accepted.case_no, code, applicant["id_number"])
    view = eventually(lambda: (v := clerk.case(accepted.case_no)).status == "closed" and v, "closing")
    return accepted, view


def test_a_case_goes_from_window_to_issuance_and_closes_with_its_whole_history(hall, items):
    item = items["single"]
    applicant = person(random.Random(1))
    accepted, view = run_case(hall, item, applicant)
    assert accepted.case_no.startswith("LX00-") and not accepted.replayed
    # issue 13 (a): the answer tells the working days left of both deadlines
    assert accepted.promised.days_left > 0 and accepted.legal.days_left > 0
    assert accepted.promised.due_date == view.promised.due_date and accepted.legal.due_date == view.legal.due_date
    assert view.item_code == item.code and view.outcome == "approved"
    assert list(view.departments) == list(item.departments)
    types = [h.event_type for h in view.history]
    assert types == ["case_accepted", "case_routed", "decision_made", "case_decided",
                     "result_ready", "result_issued", "case_closed"]
    actors = {h.event_type: (h.actor.role, h.actor.staff_id) for h in view.history}
    assert actors["case_accepted"] == ("clerk", "clerk-LX00")
    assert actors["decision_made"] == ("reviewer", f"reviewer-{item.lead}")
    assert actors["result_issued"] == ("issuer", "issuer-LX00")
    assert view.promised.limit_days == item.promised_limit and view.promised.due_date
    assert view.legal.limit_days == item.legal_limit and view.legal.due_date >= view.promised.due_date
    assert view.applicant.id_number == applicant["id_number"]
    assert all(h.at and h.event_id for h in view.history)


def test_a_joint_item_waits_for_every_department_and_one_rejection_rejects_the_whole(hall, items, catalogue):
    item = items["joint"]
    applicant = company(random.Random(2))
    clerk = hall.client("clerk")
    accepted = clerk.accept(item.code, applicant)
    eventually(lambda: clerk.case(accepted.case_no).status == "routed", "routing")
    on_worklists(hall, accepted.case_no, item.departments)
    first, *rest = item.departments
    r = hall.client("reviewer", department=first).decide(accepted.case_no, "approve")
    assert not r.case_decided
    # a rejection is beyond a reviewer's authority: the chief representative decides it (issue 5)
    hall.client("chief", department=rest[0], staff_id=catalogue.departments[rest[0]].chief.staff_id).decide(
        accepted.case_no, "reject", reason="选址不符合规划", legal_basis="《行政许可法》第三十八条")
    last = None
    for dept in rest[1:]:
        last = hall.client("reviewer", department=dept).decide(accepted.case_no, "approve")
    assert last.case_decided
    view = eventually(lambda: (v := clerk.case(accepted.case_no)).status == "ready" and v, "the result")
    assert view.outcome == "rejected"


def test_the_same_accept_retried_with_its_key_returns_the_same_case(hall, items):
    clerk = hall.client("clerk")
    applicant = person(random.Random(3))
    a = clerk.accept(items["single"].code, applicant, key="retry-key-1")
    b = clerk.accept(items["single"].code, applicant, key="retry-key-1")
    assert (a.case_no, a.replayed, b.case_no, b.replayed) == (a.case_no, False, a.case_no, True)
    assert hall.db("intake").cases.count_documents({"idem": "LX00/retry-key-1"}) == 1


def test_case_numbers_are_unique_and_carry_site_and_date(hall, items):
    clerk = hall.client("clerk")
    numbers = [clerk.accept(items["single"].code, person()).case_no for _ in range(20)]
    assert len(set(numbers)) == 20
    site, day, seq = zip(*(n.split("-") for n in numbers))
    assert set(site) == {"LX00"} and len(set(day)) == 1 and len(day[0]) == 8
    assert sorted(int(s) for s in seq) == [int(s) for s in seq]


def test_a_street_centre_clerk_accepts_under_the_street_code(hall, catalogue):
    from datetime import date
    item = next(i for i in catalogue.items.values() if i.street_allowed and not i.classified
                and not catalogue.missing_delegations(i.code, date.today()))
    accepted = hall.client("clerk", site="LX05").accept(item.code, person())
    assert accepted.case_no.startswith("LX05-")


def test_a_result_is_issued_once_only_and_to_the_applicant_only(hall, items):
    accepted, _ = run_case(hall, items["single"], applicant := person(random.Random(4)))
    issuer = hall.client("issuer")
    code = pickup_code(hall, accepted.case_no)
    with pytest.raises(grpc.RpcError) as again:
        issuer.pickup(accepted.case_no, code, applicant["id_number"])
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "issued once only" in again.value.details()
