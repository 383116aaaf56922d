"""好差评 and 监督考核 through the gateway, on cases that went through the real pipeline: a rating
at the window's evaluation pad, a bad one's follow-up resolved by the chief, and the figures
by staff member and department, also as CSV."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime

import grpc
import pytest

from hall.domain.clock import SHANGHAI
from hall.tools.sample import person
from tests.integration.test_case_pipeline import run_case
from tests.integration.test_supervision_clocks import sup


class _AsClerk:
    """The session's hall, with one clerk of our own at the window (so their figures are ours)."""

    def __init__(self, hall, staff_id):
        self._hall, self.staff_id = hall, staff_id

    def client(self, role, *args, **kwargs):
        if role == "clerk":
            kwargs.setdefault("staff_id", self.staff_id)
        return self._hall.client(role, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._hall, name)


def code_of(call):
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code()


@pytest.fixture(scope="module")
def served(hall, items):
    """Two cases accepted by one clerk and carried to issuance, the first rated badly."""
    staff = f"clerk-{uuid.uuid4().hex[:8]}"
    mine = _AsClerk(hall, staff)
    cases = [run_case(mine, items["single"], person())[0].case_no for _ in range(2)]
    pad = sup(hall, "clerk", staff_id=staff)
    rating = pad.RateService(case_no=cases[0], window="LX00-W07", level=2, comment="等候时间太长")
    return {"staff": staff, "cases": cases, "rating": rating, "pad": pad, "item": items["single"]}


def test_a_bad_rating_links_case_window_and_staff_and_opens_a_follow_up(served):
    r = served["rating"]
    assert (r.case_no, r.window, r.staff_id, r.label) == (served["cases"][0], "LX00-W07", served["staff"], "不满意")
    assert r.department == served["item"].lead and r.follow_up_opened and r.fix_due > r.rated_at[:10]
    assert code_of(lambda: served["pad"].RateService(case_no=served["cases"][0], level=5)) == \
        grpc.StatusCode.FAILED_PRECONDITION  # rated once
    assert code_of(lambda: served["pad"].RateService(case_no=served["cases"][1], level=9)) == \
        grpc.StatusCode.INVALID_ARGUMENT
    good = served["pad"].RateService(case_no=served["cases"][1], level=5, window="LX00-W07")
    assert not good.follow_up_opened


def test_the_follow_up_is_resolved_by_the_departments_chief(hall, served):
    lead = served["item"].lead
    chief = sup(hall, "chief", department=lead)
    open_ = [f for f in chief.ListFollowUps(status="open").follow_ups if f.case_no == served["cases"][0]]
    assert open_ and open_[0].comment == "等候时间太长" and not open_[0].overdue
    other = next(d for d in ("FGW", "HBJ") if d != lead)
    assert code_of(lambda: sup(hall, "chief", department=other).ResolveFollowUp(
        follow_up_id=open_[0].follow_up_id, note="x")) == grpc.StatusCode.PERMISSION_DENIED
    done = chief.ResolveFollowUp(follow_up_id=open_[0].follow_up_id, note="已回访，增设取号引导")
    assert done.status == "resolved" and done.resolved_by == f"chief-{lead}"


def test_statistics_by_staff_show_exactly_the_clerks_cases_and_ratings_and_export_as_csv(hall, served):
    today = datetime.now(SHANGHAI).date().isoformat()
    office = sup(hall, "supervisor")
    rows = office.GetStatistics(group_by="staff", from_date=today, to_date=today, key=served["staff"]).rows
    assert len(rows) == 1
    row = rows[0]
    assert (row.accepted, row.decided, row.overdue, row.supplements) == (2, 2, 0, 0)
    assert (row.on_time_promised_rate, row.on_time_legal_rate, row.avg_working_days) == (1.0, 1.0, 0.0)
    assert (row.visits_per_case, row.one_visit_rate) == (1.0, 1.0)
    assert (row.ratings, row.avg_rating, row.bad_ratings, row.satisfied_rate) == (2, 3.5, 1, 0.5)
    export = office.ExportStatistics(group_by="staff", from_date=today, to_date=today)
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert table[0][0] == "staff" and export.filename.endswith(".csv")
    assert [r[1] for r in table if r[0] == served["staff"]] == ["2"]
    dept = office.GetStatistics(group_by="department", from_date=today, to_date=today,
                                key=served["item"].lead).rows[0]
    assert dept.accepted >= 2 and dept.ratings >= 2


def test_statistics_are_for_the_office_and_a_chief_sees_only_their_own_department(hall, served):
    today = datetime.now(SHANGHAI).date().isoformat()
    lead = served["item"].lead
    chief = sup(hall, "chief", department=lead)
    rows = chief.GetStatistics(group_by="department", from_date=today, to_date=today).rows
    assert [r.key for r in rows] == [lead]
    assert code_of(lambda: chief.GetStatistics(group_by="staff", from_date=today, to_date=today)) == \
        grpc.StatusCode.PERMISSION_DENIED
    assert code_of(lambda: sup(hall, "reviewer", department=lead).GetStatistics(
        group_by="department", from_date=today, to_date=today)) == grpc.StatusCode.PERMISSION_DENIED
    office = sup(hall, "supervisor")
    assert code_of(lambda: office.GetStatistics(group_by="colour", from_date=today, to_date=today)) == \
        grpc.StatusCode.INVALID_ARGUMENT
    assert code_of(lambda: office.GetStatistics(group_by="site", from_date=today, to_date="2020-01-01")) == \
        grpc.StatusCode.INVALID_ARGUMENT
