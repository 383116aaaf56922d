"""A street centre with a node of its own (its RabbitMQ node, database and processes) beside
a district hall, joined by shovels through a relay the test cuts: the node keeps accepting and
tells the clerk, the district's metrics show the waiting events, and once the link is back
every case reaches the district, is routed and decided, and its result comes back down and is
collected at the centre — none lost, none twice, with the node's times of acceptance.

HALL_STREET_CASES sets how many cases are accepted during the cut (200, as the issue asks)."""
from __future__ import annotations

import os
import random
from collections import Counter
from datetime import date, datetime

import grpc
import pytest

from hall.runtime import broker_node
from hall.runtime.street import NodePorts, StreetNode
from hall.tools.sample import person
from hall.v1 import backoffice_pb2_grpc, issuance_pb2 as pb, issuance_pb2_grpc, licences_pb2
from tests.integration.conftest import FAST_CARRIER
from tests.integration import hallfixture
from tests.integration.hallfixture import eventually, free_port_base
from tests.integration.helpers import metric
from tests.integration.tcpproxy import TcpProxy

CASES = int(os.environ.get("HALL_STREET_CASES", "200"))
SITE = "LX03"
SIGNATURE = b"\x89PNG signature pad capture"


class NodeStaff(hallfixture.TestHall):
    """Clients signed in at the node's gateway (its own staff service and administrator)."""

    def __init__(self, node: StreetNode):
        self.node, self.hall, self.settings = node, node.hall, node.hall.settings
        self.address = self.settings.address("gateway")
        self.channel = grpc.insecure_channel(self.address)
        self._staffing = None

    def close(self) -> None:
        self.channel.close()


@pytest.fixture(scope="module")
def street(mongo_uri, log_dir, tmp_path_factory):
    """The district hall (own vhost) and LX03's node, its link to the district through a relay."""
    base = free_port_base(70)
    ports = NodePorts(base=base, amqp=base + 80, management=base + 81, dist=base + 82, db=base + 83)
    proxy = TcpProxy(5672, free_port_base(1)).start()
    district = hallfixture.TestHall(mongo_uri, log_dir)
    district.hall.env.update({**FAST_CARRIER, "HALL_STREET_NODES": f"{SITE}=http://127.0.0.1:{ports.management}",
                              "HALL_STREET_POLL_SECONDS": "1"})
    vhost = district.settings.amqp_uri.rsplit("/", 1)[-1]
    node = StreetNode(SITE, tmp_path_factory.mktemp("street-LX03"),
                      f"amqp://guest:guest@127.0.0.1:{proxy.port}/{vhost}", ports)
    staff = None
    try:
        node.start()
        district.hall.start_all()
        staff = NodeStaff(node)
        yield district, node, staff, proxy
    finally:
        if staff:
            staff.close()
        node.stop()
        proxy.close()
        district.close()


@pytest.fixture(scope="module")
def item(catalogue):
    return next(i for i in catalogue.items.values() if i.street_allowed and not i.classified
                and len(i.departments) == 1 and i.promised_limit > 0
                and not catalogue.missing_delegations(i.code, date.today()))


def issuance_desk(client):
    stub = issuance_pb2_grpc.IssuanceStub(client.channel)
    return lambda name, request: getattr(stub, name)(request, metadata=client.metadata, timeout=10)


def test_a_case_accepted_at_the_node_is_numbered_there_and_reaches_the_district(street, item):
    district, node, staff, _ = street
    eventually(lambda: broker_node.link_status(node.link).up, "the link up")
    clerk = staff.client("clerk", site=SITE)
    answer = clerk.accept(item.code, person(random.Random(301)), key="node-1")
    assert answer.case_no.startswith(f"{SITE}-") and answer.district_link == ""
    eventually(lambda: district.db("sla").clocks.find_one({"_id": answer.case_no}), "the district to follow it")
    with pytest.raises(grpc.RpcError) as refused:  # one place numbers LX03's cases: its node
        district.client("clerk", site=SITE).accept(item.code, person(random.Random(302)), site=SITE)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "node of its own" in refused.value.details()


def test_the_district_s_back_office_is_not_served_at_the_node_and_says_so_at_once(street):
    _, _, staff, _ = street
    clerk = staff.client("clerk", site=SITE)
    stub = backoffice_pb2_grpc.BackOfficeStub(clerk.channel)
    with pytest.raises(grpc.RpcError) as err:
        stub.FindLicences(licences_pb2.FindLicencesRequest(holder_id="91370102H40CLMG93Y"),
                          metadata=clerk.metadata, timeout=5)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "served by the district" in err.value.details()


def test_cases_accepted_while_the_link_is_cut_all_reach_the_district_and_come_back_once(street, item):
    district, node, staff, proxy = street
    clerk = staff.client("clerk", site=SITE)
    eventually(lambda: broker_node.link_status(node.link).up, "the link up")
    proxy.cut()
    eventually(lambda: "无法连接" in clerk.accept(item.code, person(random.Random(399)), key="probe").district_link,
               "the clerk to be told the district cannot be reached", timeout=30, every=0.5)
    applicants = [person(random.Random(400 + n)) for n in range(CASES)]
    answers = [clerk.accept(item.code, a, key=f"cut-{n}") for n, a in enumerate(applicants)]
    assert all("district cannot be reached" in a.district_link for a in answers)
    case_nos = [a.case_no for a in answers]
    assert len(set(case_nos)) == CASES and all(c.startswith(f"{SITE}-") for c in case_nos)
    accepted_at = {a.case_no: a.accepted_at for a in answers}
    seen = eventually(lambda: (v := metric(district.settings, "street-monitor", "hall_street_node_backlog_messages",
                                           site=SITE, direction="up")) >= CASES and v,
                      "the district's metrics to show the node's backlog")
    assert metric(district.settings, "street-monitor", "hall_street_link_up", site=SITE) == 0
    timeline = district.db("sla").timeline
    assert timeline.count_documents({"case_no": {"$in": case_nos}}) == 0

    proxy.restore()
    eventually(lambda: district.db("sla").clocks.count_documents({"_id": {"$in": case_nos}}) == CASES,
               "every case at the district", timeout=120, every=1)
    for e in timeline.find({"case_no": {"$in": case_nos}, "type": "case_accepted"}):  # the node's times
        assert datetime.fromisoformat(e["at"]) == datetime.fromisoformat(accepted_at[e["case_no"]])
    reviewer = district.client("reviewer", department=item.departments[0])
    eventually(lambda: set(case_nos) <= {e.case_no for e in reviewer.worklist(limit=500)},
               "every case on the department's worklist", timeout=120, every=1)
    for case_no in case_nos:
        reviewer.decide(case_no, "approve")

    issuer = issuance_desk(staff.client("issuer", site=SITE))
    node_delivery = staff.db("delivery")
    eventually(lambda: node_delivery.issuances.count_documents({"_id": {"$in": case_nos}}) == CASES,
               "every result forwarded down to the node", timeout=120, every=1)
    for n, case_no in enumerate(case_nos):
        assert issuer("ReceiveHandover", pb.ReceiveHandoverRequest(case_no=case_no)).status == "ready"
        [sms] = list(node_delivery.messages.find({"case_no": case_no, "kind": "pickup_code"}))
        issuer("Collect", pb.CollectRequest(case_no=case_no, pickup_code=sms["code"], position=f"{SITE}-I01",
                                            id_number=applicants[n]["id_number"], signature=SIGNATURE))

    eventually(lambda: timeline.count_documents({"case_no": {"$in": case_nos}, "type": "case_closed"}) == CASES,
               "every case closed at the district", timeout=120, every=1)
    eventually(lambda: district.db("delivery").issuances.count_documents(
        {"_id": {"$in": case_nos}, "status": "issued"}) == CASES, "the district's copies issued", timeout=60, every=1)
    events = Counter((e["case_no"], e["type"]) for e in timeline.find({"case_no": {"$in": case_nos}}))
    assert all(n == 1 for n in events.values()), [k for k, n in events.items() if n > 1]
    assert {t for (_, t) in events} >= {"case_accepted", "case_routed", "decision_made", "case_decided", "result_issued"}
    assert metric(district.settings, "street-monitor", "hall_street_link_up", site=SITE) == 1
    eventually(lambda: metric(district.settings, "street-monitor", "hall_street_node_backlog_messages",
                              site=SITE, direction="up") == 0, "the backlog gone")
    assert seen >= CASES
