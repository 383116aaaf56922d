"""The audit's hash chain: an unaltered chain verifies; an entry changed, removed, inserted
or rewritten with its hash recomputed is named."""
from __future__ import annotations

import pytest

from hall.domain import audit, identity
from hall.domain.audit import Access, first_break, link


def access(i: int, **kw) -> Access:
    fields = dict(at=f"2026-12-03T10:00:{i:02d}.000Z", service="approval", method="hall.v1.BackOffice/Decide",
                  kind=audit.CHANGE, outcome="OK", staff_id="LX-SYJ-R01", role="reviewer", site="LX00",
                  department="SYJ", case_no=f"LX00-20261203-{i:05d}")
    return Access(**{**fields, **kw})


def chain(n: int) -> list[dict]:
    out, prev = [], audit.GENESIS
    for i in range(1, n + 1):
        out.append(link(access(i), i, prev))
        prev = out[-1]["hash"]
    return out


def test_an_unaltered_chain_verifies_and_each_entry_carries_the_hash_before_it():
    entries = chain(5)
    assert first_break(entries) is None
    assert [e["prev"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert entries[0]["prev"] == audit.GENESIS
    assert audit.head(entries) == (5, entries[-1]["hash"])
    assert first_break([]) is None and audit.head([]) == (0, audit.GENESIS)


def test_the_hash_covers_every_recorded_field_and_ignores_storage_fields():
    e = chain(1)[0]
    assert audit.digest({**e, "_id": 1}) == e["hash"]
    for name in audit.HASHED:
        changed = {**e, name: 999 if name == "seq" else "x"}
        assert audit.digest(changed) != e["hash"], name


@pytest.mark.parametrize("field, value", [("outcome", "PERMISSION_DENIED"), ("staff_id", "someone-else"),
                                          ("case_no", "LX00-20261203-99999"), ("at", "2026-12-01T00:00:00.000Z")])
def test_a_changed_entry_is_named(field, value):
    entries = chain(5)
    entries[2][field] = value
    found = first_break(entries)
    assert found.seq == 3 and "changed" in found.reason


def test_a_changed_entry_whose_hash_was_recomputed_is_named_by_the_next_one():
    entries = chain(5)
    entries[1]["staff_id"] = "someone-else"
    entries[1]["hash"] = audit.digest(entries[1])
    found = first_break(entries)
    assert found.seq == 2 and "recomputed" in found.reason


def test_a_removed_entry_is_named():
    entries = chain(5)
    del entries[2]
    assert first_break(entries) == audit.Break(3, "removed: the next entry stored is 4")
    del entries[0]
    assert first_break(entries).seq == 1


def test_several_removed_entries_are_named_from_the_first():
    entries = chain(6)
    del entries[1:4]
    found = first_break(entries)
    assert found.seq == 2 and "up to 4" in found.reason


def test_an_entry_slipped_in_under_a_taken_number_is_named():
    entries = chain(4)
    forged = link(access(9, staff_id="intruder"), 2, entries[0]["hash"])
    entries.insert(2, forged)
    found = first_break(entries)
    assert found.seq == 3


def test_a_forged_first_entry_must_start_from_the_genesis_hash():
    entries = chain(3)
    entries[0] = link(access(1, staff_id="intruder"), 1, "f" * 64)
    assert first_break(entries).seq == 1


def test_removing_the_newest_entries_leaves_a_valid_but_shorter_head():
    entries = chain(5)
    noted = audit.head(entries)
    assert first_break(entries[:3]) is None
    assert audit.head(entries[:3]) != noted


def test_an_id_number_is_recorded_only_as_a_keyed_hash():
    number = "370102199001011237"
    key = b"k" * 32
    hashed = audit.subject([number], key)
    assert number not in hashed and len(hashed) == 32
    assert audit.subject([number.lower(), " "], key) == hashed  # the same person, however written
    assert audit.subject([number], b"another key") != hashed
    assert audit.subject([number], b"") == "" and audit.subject(["", "  "], key) == ""


def test_every_audited_method_is_a_gated_method():
    assert set(audit.METHODS) - set(identity.METHOD_ROLES) == set()
    assert set(audit.METHODS.values()) == {audit.READ, audit.CHANGE}
    assert audit.kind_of("/hall.v1.BackOffice/Decide") == audit.CHANGE
    assert audit.kind_of("/hall.v1.HallCatalogue/ListSites") is None
    assert audit.kind_of("/hall.v1.Audit/ListCaseAccess") is None


def test_only_the_supervision_office_asks_who_read_a_case():
    assert identity.METHOD_ROLES["hall.v1.Audit/ListCaseAccess"] == ("supervisor",)


def test_the_case_and_the_people_a_request_names_are_found_by_field_name():
    from hall.infra.audit import case_of, id_numbers_of
    from hall.v1 import common_pb2, gateway_pb2, issuance_pb2
    accept = gateway_pb2.AcceptApplicationRequest(applicant=common_pb2.Applicant(id_number="370102199001011237"))
    assert id_numbers_of(accept) == ["370102199001011237"]
    assert case_of(accept, gateway_pb2.AcceptApplicationResponse(case_no="LX00-20261203-00001")) == \
        "LX00-20261203-00001"
    collect = issuance_pb2.CollectRequest(case_no="LX00-20261203-00002", id_number="X1")
    assert case_of(collect) == "LX00-20261203-00002" and id_numbers_of(collect) == ["X1"]
    assert case_of(gateway_pb2.GetCaseRequest(case_no="C" * 100)) == "C" * audit.MAX_CASE_NO
    assert case_of(object()) == "" and id_numbers_of(object()) == []  # an undecodable request
