"""Case clocks through the gateway: spans over National Day and Spring Festival, a limit running
into 2027, pause and resume, extension, and a joint case under 45 + 15.

Cases dated in the past cannot be made through a running hall, so these tests publish the case
events onto the bus exactly as intake, routing and approval publish them (the helpers below,
also used by the other supervision tests); the pause and extension events are published the
same way where the back office's publishers are not relied on."""
from __future__ import annotations

import uuid
from datetime import datetime

import grpc
import pytest

from hall.domain.clock import SHANGHAI
from hall.domain.events import EVENT_SOURCES
from hall.tools.sample import person
from hall.v1 import supervision_pb2 as pb, supervision_pb2_grpc
from tests.integration.hallfixture import eventually
from tests.integration.helpers import publish_raw


class SupervisionClient:
    def __init__(self, gateway_client):
        self.stub = supervision_pb2_grpc.SupervisionStub(gateway_client.channel)
        self.md = gateway_client.metadata

    def __getattr__(self, rpc):
        method = getattr(self.stub, rpc)
        request_type = {
            "GetCaseClock": pb.CaseClockRequest, "ListCasesAtRisk": pb.ListCasesAtRiskRequest,
            "ListNotices": pb.ListNoticesRequest, "AcknowledgeNotice": pb.AcknowledgeNoticeRequest,
            "RateService": pb.RateServiceRequest, "ListFollowUps": pb.ListFollowUpsRequest,
            "ResolveFollowUp": pb.ResolveFollowUpRequest, "GetStatistics": pb.StatisticsRequest,
            "ExportStatistics": pb.StatisticsRequest}[rpc]
        return lambda **kw: method(request_type(**kw), metadata=self.md, timeout=10)


def sup(hall, role, site="LX00", department="", staff_id=""):
    return SupervisionClient(hall.client(role, site, department, staff_id))


def new_case_no(day: str, site: str = "LX00") -> str:
    return f"{site}-{day.replace('-', '')}-{uuid.uuid4().int % 10**8:08d}"


def publish(hall, type_: str, case_no: str, at: str, data: dict, actor=None, site: str = "LX00") -> dict:
    """Publish one case event as its service would (`at`: ISO time with offset)."""
    event = {"id": str(uuid.uuid4()), "type": type_, "case_no": case_no, "site": site, "at": at,
             "actor": actor or {"staff_id": "system", "role": "system", "site": site, "department": ""},
             "data": data, "schema": 1}
    publish_raw(hall.settings, EVENT_SOURCES[type_], type_, event)
    return event


def accept(hall, case_no: str, on: str, promised: int, legal: int, departments=("FGW",),
           case_type="承诺件", staff="clerk-LX00", site="LX00", **extra) -> None:
    """A case accepted on `on` and routed the same day. The routing is recorded first: a case
    dated in the past and seen accepted but not yet routed would really have a late hand-over,
    and a scan landing between the two events would (rightly) raise a notice for it."""
    item = {"code": "XK-SLA-TEST", "name": "督办测试事项", "promised_limit": promised, "legal_limit": legal,
            "departments": list(departments), "case_type": case_type, "sector": "经济发展"}
    publish(hall, "case_routed", case_no, f"{on}T09:05:00+08:00",
            {"item": item, "accepted_on": on, "departments": list(departments)}, site=site)
    eventually(lambda: hall.db("sla").timeline.count_documents({"case_no": case_no, "type": "case_routed"}),
               f"the routing of {case_no} recorded")
    publish(hall, "case_accepted", case_no, f"{on}T09:00:00+08:00",
            {"item": item, "accepted_on": on, "applicant": {"name": "测试"}, "delivery": "pickup", **extra},
            actor={"staff_id": staff, "role": "clerk", "site": site, "department": ""}, site=site)


def clock_of(hall, case_no, ready=lambda c: True, role="supervisor"):
    """The case's clocks once the SLA has seen it (and `ready` holds)."""
    client = sup(hall, role)
    return eventually(lambda: (c := client.GetCaseClock(case_no=case_no)) and ready(c) and c,
                      f"the clocks of {case_no}")


def steps(clock) -> dict:
    return {s.key: s for s in clock.steps}


def test_a_case_over_national_day_week_counts_the_swapped_working_days(hall):
    case_no = new_case_no("2025-09-26")
    accept(hall, case_no, "2025-09-26", promised=5, legal=20)
    c = clock_of(hall, case_no, lambda c: steps(c)["handover"].done_on)
    assert (c.promised.due_date, c.legal.due_date) == ("2025-10-10", "2025-10-30")
    assert steps(c)["handover"].status == "done" and steps(c)["handover"].due_date == "2025-09-28"
    assert c.state == "overdue" and steps(c)["review:FGW"].status == "overdue"


def test_a_case_over_spring_festival_and_one_running_into_2027(hall):
    spring, winter = new_case_no("2026-02-12"), new_case_no("2026-12-15")
    accept(hall, spring, "2026-02-12", promised=10, legal=20)
    accept(hall, winter, "2026-12-15", promised=20, legal=20)
    s = clock_of(hall, spring)
    assert s.promised.due_date == "2026-03-04" and not s.promised.estimated
    w = clock_of(hall, winter)
    assert w.promised.due_date == "2027-01-13" and w.promised.estimated and w.legal.estimated
    assert w.state == "on_track"


def test_a_supplement_pauses_the_clocks_and_bringing_the_materials_resumes_them(hall):
    case_no = new_case_no("2026-03-02")
    accept(hall, case_no, "2026-03-02", promised=20, legal=20)
    publish(hall, "supplement_requested", case_no, "2026-03-10T15:00:00+08:00",
            {"department": "FGW", "reason": "营业执照复印件不清晰",
             "materials": [{"name": "营业执照", "problem": "复印件不清晰"}]})
    paused = clock_of(hall, case_no, lambda c: c.pauses)
    assert paused.state == "paused" and paused.promised.paused and not paused.pauses[0].ended_on
    assert paused.supplements == 1
    publish(hall, "supplement_submitted", case_no, "2026-03-13T10:00:00+08:00",
            {"department": "FGW", "materials": [{"name": "营业执照", "form": "copy", "count": 1}]})
    resumed = clock_of(hall, case_no, lambda c: c.pauses and c.pauses[0].ended_on)
    assert resumed.promised.due_date == "2026-04-02" and not resumed.promised.paused
    assert resumed.visits == 2


def test_an_extension_moves_the_legal_limit_and_a_joint_case_runs_under_45_plus_15(hall):
    single = new_case_no("2026-03-02")
    accept(hall, single, "2026-03-02", promised=15, legal=20)
    publish(hall, "extension_granted", single, "2026-03-20T11:00:00+08:00",
            {"department": "FGW", "days": 10, "reason": "需要进一步核查", "approved_by": "LX-FGW-01"})
    c = clock_of(hall, single, lambda c: c.extensions)
    assert (c.legal.limit_days, c.legal.due_date, c.promised.due_date) == (30, "2026-04-14", "2026-04-07")
    assert c.extensions[0].reason == "需要进一步核查" and not c.extension_capped

    joint = new_case_no("2026-03-02")
    accept(hall, joint, "2026-03-02", promised=30, legal=45, departments=("ZJJ", "HBJ", "CGJ"),
           case_type="联办件")
    j = clock_of(hall, joint, lambda c: steps(c)["handover"].done_on)
    assert j.joint and j.legal.limit_days == 45 and j.legal.due_date == "2026-05-08"
    assert {s.key for s in j.steps} >= {"review:ZJJ", "review:HBJ", "review:CGJ"}
    publish(hall, "extension_granted", joint, "2026-04-20T11:00:00+08:00",
            {"department": "ZJJ", "days": 15, "reason": "联合现场勘验", "approved_by": "区政府", "scope": "joint"})
    j = clock_of(hall, joint, lambda c: c.extensions)
    assert j.legal.limit_days == 60 and j.legal.due_date == "2026-05-28"


def test_get_case_deadlines_account_for_an_open_pause_and_an_extension(hall, items):
    clerk = hall.client("clerk")
    item = items["single"]
    case_no = clerk.accept(item.code, person()).case_no
    before = eventually(lambda: (v := clerk.case(case_no)).status == "routed" and v, "routing")
    now = datetime.now(SHANGHAI).isoformat()
    publish(hall, "extension_granted", case_no, now, {"department": item.lead, "days": 10, "reason": "补充核查",
                                                      "approved_by": "chief"})
    after = eventually(lambda: (v := clerk.case(case_no)).legal.limit_days == item.legal_limit + 10 and v,
                       "the extension")
    assert after.legal.due_date > before.legal.due_date
    assert "延长办理期限 10 个工作日" in [h.summary for h in after.history][-1]
    publish(hall, "supplement_requested", case_no, now, {"department": item.lead, "reason": "缺件"})
    paused = eventually(lambda: (v := clerk.case(case_no)).promised.paused and v, "the pause")
    assert paused.status == "routed"  # the pipeline status is unchanged; the clock shows the pause


def test_a_case_clock_is_shown_only_to_those_who_may_see_the_case(hall):
    case_no = new_case_no("2026-03-02")
    accept(hall, case_no, "2026-03-02", promised=5, legal=20, departments=("FGW",))
    clock_of(hall, case_no)
    assert sup(hall, "chief", department="FGW").GetCaseClock(case_no=case_no).case_no == case_no
    with pytest.raises(grpc.RpcError) as err:
        sup(hall, "chief", department="HBJ").GetCaseClock(case_no=case_no)
    assert (err.value.code(), err.value.details()) == (grpc.StatusCode.NOT_FOUND, f"no case numbered {case_no!r}")
    missing = case_no[:-5] + "99999"
    with pytest.raises(grpc.RpcError) as err:
        sup(hall, "chief", department="HBJ").GetCaseClock(case_no=missing)
    assert (err.value.code(), err.value.details()) == (grpc.StatusCode.NOT_FOUND, f"no case numbered {missing!r}")
