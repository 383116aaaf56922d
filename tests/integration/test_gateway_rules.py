"""The gateway checks who is calling and answers bad requests with clear status codes,
changing nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hall.tools.sample import person
from tests.integration.hallfixture import eventually, on_worklists
from tests.integration.helpers import metric


def code_of(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


@pytest.fixture(scope="module")
def routed_case(hall, items):
    clerk = hall.client("clerk")
    accepted = clerk.accept(items["single"].code, person())
    eventually(lambda: clerk.case(accepted.case_no).status == "routed", "routing")
    on_worklists(hall, accepted.case_no, items["single"].departments)
    return accepted.case_no


def other_department(catalogue, item):
    return next(d for d in sorted(catalogue.departments) if d not in item.departments)


def test_a_reviewer_neither_sees_nor_decides_another_departments_case(hall, items, catalogue, routed_case):
    stranger = hall.client("reviewer", department=other_department(catalogue, items["single"]))
    code, msg = code_of(lambda: stranger.case(routed_case))
    missing = routed_case[:-5] + "99999"
    assert (code, msg) == (grpc.StatusCode.NOT_FOUND, f"no case numbered {routed_case!r}")
    assert code_of(lambda: stranger.case(missing)) == (grpc.StatusCode.NOT_FOUND, f"no case numbered {missing!r}")
    assert code_of(lambda: stranger.decide(routed_case, "approve")) == (grpc.StatusCode.NOT_FOUND,
                                                                       f"no case numbered {routed_case!r}")
    code, _ = code_of(lambda: stranger.decide(routed_case, "approve", department=items["single"].lead))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    code, _ = code_of(lambda: stranger.worklist(department=items["single"].lead))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert routed_case not in [e.case_no for e in stranger.worklist(limit=500)]
    own = hall.client("reviewer", department=items["single"].lead)
    assert own.case(routed_case).status == "routed"
    assert routed_case in [e.case_no for e in own.worklist(limit=500)]


def test_a_clerk_accepts_only_at_their_own_site(hall, items):
    before = hall.db("intake").cases.count_documents({})
    code, msg = code_of(lambda: hall.client("clerk", site="LX00").accept(items["single"].code, person(), site="LX03"))
    assert code == grpc.StatusCode.PERMISSION_DENIED and "LX00" in msg
    assert hall.db("intake").cases.count_documents({}) == before


def test_other_roles_cannot_take_steps_that_are_not_theirs(hall, items, routed_case):
    code, _ = code_of(lambda: hall.client("issuer").decide(routed_case, "approve"))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    code, _ = code_of(lambda: hall.client("reviewer", department=items["single"].lead).accept(items["single"].code, person()))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    code, _ = code_of(lambda: hall.client("clerk").pickup(routed_case, "123456", "x"))
    assert code == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("change, expected, words", [
    (lambda a: a.update(item="NO-SUCH-ITEM"), grpc.StatusCode.INVALID_ARGUMENT, "unknown item code"),
    (lambda a: a["applicant"].update(id_number="370102199001011234"), grpc.StatusCode.INVALID_ARGUMENT, "not valid"),
    (lambda a: a.update(materials=[{"name": "申请书", "form": "original", "count": -1}]),
     grpc.StatusCode.INVALID_ARGUMENT, "count"),
    (lambda a: a["applicant"].update(name="名" * 500), grpc.StatusCode.INVALID_ARGUMENT, "name"),
    (lambda a: a.update(item="classified"), grpc.StatusCode.FAILED_PRECONDITION, "classified"),
    (lambda a: a.update(item="no_courier", delivery="courier", address="济南市历下区泉城路1号"),
     grpc.StatusCode.INVALID_ARGUMENT, "courier"),
])
def test_a_bad_application_is_refused_clearly_and_creates_nothing(hall, items, change, expected, words):
    args = {"item": "single", "applicant": person(), "materials": [], "delivery": "pickup", "address": ""}
    change(args)
    code_ = items[args["item"]].code if args["item"] in items else args["item"]
    before = hall.db("intake").cases.count_documents({})
    code, msg = code_of(lambda: hall.client("clerk").accept(
        code_, args["applicant"], args["materials"], args["delivery"], args["address"]))
    assert code == expected and words in msg
    assert hall.db("intake").cases.count_documents({}) == before


def test_unknown_cases_and_steps_out_of_order_have_their_own_codes(hall, items, routed_case):
    code, _ = code_of(lambda: hall.client("clerk").case("LX00-20260101-99999"))
    assert code == grpc.StatusCode.NOT_FOUND
    code, msg = code_of(lambda: hall.client("issuer").pickup(routed_case, "123456", "x"))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "not yet decided" in msg
    code, _ = code_of(lambda: hall.client("reviewer", department=items["single"].lead)
                      .decide("LX00-20260101-99999", "approve"))
    assert code == grpc.StatusCode.NOT_FOUND
    reviewer = hall.client("reviewer", department=items["single"].lead)
    code, msg = code_of(lambda: reviewer.decide(routed_case, "reject"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "legal basis" in msg


def test_every_process_exposes_its_metrics(hall, routed_case):
    s = hall.settings
    assert metric(s, "routing-worker", "hall_events_handled_total", service="routing", type="case_accepted") >= 1
    assert metric(s, "sla-worker", "hall_event_handling_seconds_count", service="sla", type="case_routed") >= 1
    assert metric(s, "approval-worker", "hall_events_handled_total", service="approval", type="case_routed") >= 1
    assert metric(s, "gateway", "hall_grpc_seconds_count", service="gateway", method="AcceptApplication", code="OK") >= 1
    assert metric(s, "intake-api", "hall_grpc_seconds_count", service="intake", method="AcceptApplication", code="OK") >= 1
    eventually(lambda: metric(s, "sla-api", "hall_cases", service="sla", status="routed") >= 1,
               "the cases gauge", timeout=15)
    eventually(lambda: metric(s, "approval-api", "hall_cases", service="approval", status="pending") >= 1,
               "the cases gauge", timeout=15)


def test_the_gateway_serves_health_and_reflection_for_probes_and_grpcurl(hall):
    stub = health_pb2_grpc.HealthStub(hall.channel)
    assert stub.Check(health_pb2.HealthCheckRequest(service="hall.v1.HallGateway")).status == \
        health_pb2.HealthCheckResponse.SERVING
    grpcurl = Path(sys.executable).with_name("grpcurl")
    out = subprocess.run([str(grpcurl), "-plaintext", hall.address, "list"], capture_output=True,
                         text=True, timeout=30)
    assert "hall.v1.HallGateway" in out.stdout and "grpc.health.v1.Health" in out.stdout, out.stderr
