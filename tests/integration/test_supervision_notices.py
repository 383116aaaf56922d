"""督办 through real processes: the SLA worker's periodic scan (a fast @timer here) raises a
notice to the department's chief representative for a due-soon and an overdue case, escalates
it to the supervision office when nobody acknowledges it in time, and the chief acknowledges it
through the gateway. The gauges and histograms show the same cases."""
from __future__ import annotations

from datetime import datetime, timedelta

import grpc
import pytest

from hall.domain.clock import SHANGHAI, Clock
from hall.domain.workdays import WorkCalendar
from tests.integration import hallfixture
from tests.integration.hallfixture import eventually
from tests.integration.helpers import metric
from tests.integration.test_supervision_clocks import accept, new_case_no, publish, sup


@pytest.fixture(scope="module")
def fast(mongo_uri, log_dir):
    """A hall of its own whose SLA scans every half second and escalates after two seconds."""
    h = hallfixture.TestHall(mongo_uri, log_dir)
    h.hall.env.update({"HALL_SLA_SCAN_SECONDS": "0.5", "HALL_SLA_GAUGES_SECONDS": "0.5",
                       "HALL_SLA_ESCALATE_AFTER_SECONDS": "2"})
    try:
        h.hall.start_all(["sla-api", "sla-worker", "gateway"])
        yield h
    finally:
        h.close()


def accepted_on_for(status: str, limit: int) -> str:
    """An acceptance day that puts a `limit`-day clock in `status` today."""
    cal, now = WorkCalendar.load(), datetime.now(SHANGHAI)
    day = now.date()
    while Clock(limit, day).status(cal, now) != status:
        day -= timedelta(days=1)
    return day.isoformat()


def notices(client, **kw):
    return list(client.ListNotices(**kw).notices)


def test_due_soon_and_overdue_cases_raise_notices_that_escalate_and_are_acknowledged(fast):
    soon_no, late_no = new_case_no("2026-11-01"), new_case_no("2026-10-12")
    accept(fast, soon_no, accepted_on_for("due_soon", 9), promised=9, legal=20, departments=("FGW",))
    accept(fast, late_no, "2026-10-12", promised=5, legal=20, departments=("FGW",))
    chief = sup(fast, "chief", department="FGW", staff_id="LX-FGW-01")

    def raised():
        return {(n.case_no, n.watch, n.level): n for n in notices(chief) if n.case_no in (soon_no, late_no)}
    mine = eventually(lambda: len(r := raised()) >= 4 and r, "the notices", timeout=30)
    assert set(mine) == {(soon_no, "decision", "due_soon"), (late_no, "decision", "overdue"),
                         (late_no, "legal", "overdue"), (late_no, "review:FGW", "overdue")}
    late = mine[(late_no, "decision", "overdue")]
    assert late.to_staff_id == "LX-FGW-01" and late.to_name == "王建国" and "已超期" in late.text

    office = sup(fast, "supervisor")
    escalated = eventually(lambda: [n for n in notices(office, status="escalated") if n.notice_id == late.notice_id],
                           "the escalation", timeout=20)
    assert escalated[0].escalated_to and escalated[0].escalated_at

    with pytest.raises(grpc.RpcError) as err:
        sup(fast, "chief", department="HBJ").AcknowledgeNotice(notice_id=late.notice_id, note="不是我们的")
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    done = chief.AcknowledgeNotice(notice_id=late.notice_id, note="已督促承办人今日办结")
    assert done.status == "acknowledged" and done.acknowledged_by == "LX-FGW-01"
    with pytest.raises(grpc.RpcError) as err:
        chief.AcknowledgeNotice(notice_id=late.notice_id, note="再次")
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    db = fast.db("sla")
    assert db.notices.count_documents({"case_no": late_no}) == 3  # scanned many times, raised once each
    stored = db.notices.find_one({"_id": late.notice_id})
    assert [e["type"] for e in stored["out"]] == ["supervision_raised", "supervision_escalated"]
    eventually(lambda: db.published.count_documents({"_id": {"$in": [e["id"] for e in stored["out"]]}}) == 2,
               "both supervision events on the bus")


def test_another_department_sees_neither_the_notices_nor_the_cases_at_risk_of_others(fast):
    case_no = new_case_no("2026-10-12")
    accept(fast, case_no, "2026-10-12", promised=5, legal=20, departments=("WHJ",))
    own = sup(fast, "chief", department="WHJ")
    eventually(lambda: [c for c in own.ListCasesAtRisk().cases if c.case_no == case_no], "the case at risk")
    other = sup(fast, "chief", department="TYJ")
    assert case_no not in [c.case_no for c in other.ListCasesAtRisk(states=["overdue"]).cases]
    with pytest.raises(grpc.RpcError) as err:
        other.ListNotices(department="WHJ")
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        sup(fast, "clerk").ListCasesAtRisk()
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_gauges_count_open_overdue_and_paused_cases_and_decisions_feed_the_histogram(fast):
    s = fast.settings
    late_no, paused_no = new_case_no("2026-10-12", "LX05"), new_case_no("2026-10-12", "LX05")
    accept(fast, late_no, "2026-10-12", promised=5, legal=20, departments=("MZJ",), site="LX05")
    accept(fast, paused_no, "2026-10-12", promised=5, legal=20, departments=("MZJ",), site="LX05")
    publish(fast, "supplement_requested", paused_no, "2026-10-13T10:00:00+08:00",
            {"department": "MZJ", "reason": "缺户口簿"}, site="LX05")
    labels = {"department": "MZJ", "site": "LX05"}
    eventually(lambda: metric(s, "sla-worker", "hall_sla_overdue_cases", **labels) == 1
               and metric(s, "sla-worker", "hall_sla_paused_cases", **labels) == 1
               and metric(s, "sla-worker", "hall_sla_open_cases", **labels) == 2, "the gauges", timeout=20)
    publish(fast, "decision_made", late_no, "2026-10-16T10:00:00+08:00",
            {"department": "MZJ", "outcome": "approved"}, site="LX05")
    publish(fast, "case_decided", late_no, "2026-10-16T10:00:00+08:00", {"outcome": "approved"}, site="LX05")
    eventually(lambda: metric(s, "sla-worker", "hall_sla_decision_working_days_count", **labels) == 1,
               "the working-days histogram")
    # accepted Mon 10-12, decided Fri 10-16: four working days
    assert metric(s, "sla-worker", "hall_sla_decision_working_days_sum", **labels) == 4
    assert metric(s, "sla-worker", "hall_sla_notices_total", outcome="raised") >= 1
    assert metric(s, "sla-worker", "hall_sla_scan_seconds_count") >= 1
