"""The audit (issue 12, point 4): every call that reads or changes a case is recorded by the
service that serves it — who, when, which call, which case, the outcome — in a hash chain per
service; the supervision office asks the gateway who read or changed a case; the verifier
names an entry changed or removed in the database."""
from __future__ import annotations

import threading

import grpc
import pytest

from hall.tools.sample import person
from hall.v1 import audit_pb2, audit_pb2_grpc
from tests.integration.hallfixture import eventually, on_worklists
from tests.integration.helpers import audit_verify as verify
from tests.integration.test_case_pipeline import pickup_code
from tests.integration.test_gateway_rules import other_department

CHAINS = ("intake", "routing", "approval", "delivery", "sla", "staff", "gateway")


def ask(hall, client, case_no: str, limit: int = 0):
    return audit_pb2_grpc.AuditStub(hall.channel).ListCaseAccess(
        audit_pb2.ListCaseAccessRequest(case_no=case_no, limit=limit), metadata=client.metadata, timeout=10).entries


@pytest.fixture(scope="module")
def story(hall, items, catalogue):
    """A case accepted, read, refused to a stranger and to a clerk, decided and picked up."""
    item, applicant = items["single"], person()
    clerk = hall.client("clerk")
    case_no = clerk.accept(item.code, applicant).case_no
    eventually(lambda: clerk.case(case_no).status == "routed", "routing")
    on_worklists(hall, case_no, item.departments)
    stranger = hall.client("reviewer", department=other_department(catalogue, item))
    with pytest.raises(grpc.RpcError) as refused:  # refused by approval's department rule
        stranger.decide(case_no, "approve", department=item.lead)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as gated:  # refused by the gateway's method gate
        clerk.decide(case_no, "approve")
    assert gated.value.code() == grpc.StatusCode.PERMISSION_DENIED
    for dept in item.departments:
        hall.client("reviewer", department=dept).decide(case_no, "approve")
    code = eventually(lambda: pickup_code(hall, case_no), "the pickup code")
    hall.client("issuer").pickup(case_no, code, applicant["id_number"])
    return {"case_no": case_no, "item": item, "applicant": applicant, "stranger": stranger.actor}


def test_the_supervisor_sees_who_read_and_changed_a_case_with_the_outcomes(hall, story):
    item, case_no = story["item"], story["case_no"]
    entries = ask(hall, hall.client("supervisor"), case_no)
    seen = {(e.service, e.method.rsplit("/", 1)[1], e.staff_id, e.role, e.outcome) for e in entries}
    assert ("intake", "AcceptApplication", "clerk-LX00", "clerk", "OK") in seen
    assert ("intake", "GetCase", "clerk-LX00", "clerk", "OK") in seen
    assert ("sla", "GetCase", "clerk-LX00", "clerk", "OK") in seen
    assert ("approval", "RecordDecision", f"reviewer-{item.lead}", "reviewer", "OK") in seen
    assert ("approval", "RecordDecision", story["stranger"].staff_id, "reviewer", "PERMISSION_DENIED") in seen
    assert ("gateway", "RecordDecision", "clerk-LX00", "clerk", "PERMISSION_DENIED") in seen
    assert ("delivery", "RecordPickup", "issuer-LX00", "issuer", "OK") in seen
    assert all(e.case_no == case_no and e.site == "LX00" and e.hash for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    changes = [e.method.rsplit("/", 1)[1] for e in entries if e.kind == "change" and e.outcome == "OK"]
    assert changes == ["AcceptApplication", *["RecordDecision"] * len(item.departments), "RecordPickup"]
    assert [e.department for e in entries if e.staff_id == story["stranger"].staff_id] == \
        [story["stranger"].department]


def test_the_id_number_is_never_recorded_in_clear_only_a_hash_that_matches_across_calls(hall, story):
    entries = ask(hall, hall.client("supervisor"), story["case_no"])
    by_method = {e.method.rsplit("/", 1)[1]: e.subject for e in entries if e.outcome == "OK"}
    assert by_method["AcceptApplication"] and by_method["AcceptApplication"] == by_method["RecordPickup"]
    number = story["applicant"]["id_number"]
    for service in CHAINS:
        stored = hall.db(service).audit.find({"case_no": story["case_no"]})
        assert not [e for e in stored if number in repr(e)], service


def test_only_the_supervision_office_asks_and_a_bad_question_is_refused(hall, story):
    for role in ("clerk", "issuer", "admin"):
        with pytest.raises(grpc.RpcError) as err:
            ask(hall, hall.client(role), story["case_no"])
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, role
    supervisor = hall.client("supervisor")
    for case_no, limit in (("", 0), ("x" * 41, 0), (story["case_no"], -1)):
        with pytest.raises(grpc.RpcError) as err:
            ask(hall, supervisor, case_no, limit)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert len(ask(hall, supervisor, story["case_no"], limit=2)) == 2
    assert ask(hall, supervisor, story["case_no"][:-5] + "99999") == []


def test_verify_names_an_entry_changed_and_one_removed_in_the_database(hall, story, tmp_path):
    case_no = story["case_no"]
    ok = verify(hall, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert all(f"{service}: ok" in ok.stdout for service in CHAINS)
    assert "intake: ok, 0 entries" not in ok.stdout and "approval: ok, 0 entries" not in ok.stdout
    approval, intake = hall.db("approval").audit, hall.db("intake").audit
    changed = approval.find_one({"case_no": case_no, "outcome": "PERMISSION_DENIED"})
    removed = intake.find_one({"case_no": case_no, "method": "hall.v1.HallGateway/AcceptApplication"})
    assert intake.count_documents({"_id": {"$gt": removed["_id"]}}) > 0  # the GetCase reads after it
    try:
        approval.update_one({"_id": changed["_id"]}, {"$set": {"outcome": "OK"}})  # hiding a refusal
        intake.delete_one({"_id": removed["_id"]})                                # hiding who accepted
        broken = verify(hall, tmp_path)
        assert broken.returncode == 1
        assert f"approval: BROKEN at entry {changed['seq']}: changed" in broken.stdout
        assert f"intake: BROKEN at entry {removed['seq']}: removed" in broken.stdout
        assert "delivery: ok" in broken.stdout
    finally:
        approval.replace_one({"_id": changed["_id"]}, changed)
        intake.insert_one(removed)
    again = verify(hall, tmp_path)
    assert again.returncode == 0, again.stdout


def test_two_writers_on_one_chain_never_fork_it(scratch_db):
    """Two replicas of a service (two trails over one database), writing at once."""
    from hall.domain import audit
    from hall.infra.audit import Trail, now
    trails = [Trail(scratch_db, "approval").prepare(), Trail(scratch_db, "approval")]

    def write(trail, n):
        for i in range(n):
            trail.record(audit.Access(at=now(), service="approval", method="hall.v1.BackOffice/Decide",
                                      kind=audit.CHANGE, outcome="OK", staff_id=f"w{id(trail)}", case_no=f"C{i}"))
    threads = [threading.Thread(target=write, args=(t, 60)) for t in trails for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = list(Trail(scratch_db, "approval").entries())
    assert [e["seq"] for e in entries] == list(range(1, 241))
    assert audit.first_break(entries) is None
