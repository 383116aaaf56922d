"""The SLA's clock records against the real database: several cases refreshed in one round
trip each way, and a record another worker rewrote in between is rebuilt, not overwritten."""
from __future__ import annotations

import uuid
from datetime import date

import pymongo
import pytest

from hall.domain.case_clock import Policy
from hall.domain.workdays import WorkCalendar
from services.sla.repository import SlaRepository
from tests.integration.helpers import CommandLog


def _accepted(case_no: str) -> dict:
    item = {"code": "XK-TEST", "name": "测试事项", "promised_limit": 5, "legal_limit": 20,
            "departments": ["FGW"], "case_type": "承诺件"}
    return {"_id": uuid.uuid4().hex, "type": "case_accepted", "case_no": case_no, "site": "LX00",
            "at": "2026-03-02T09:00:00+08:00", "actor": {"staff_id": "clerk-1", "role": "clerk"},
            "data": {"accepted_on": "2026-03-02", "item": item}, "service": "intake"}


def _routed(case_no: str) -> dict:
    return {"_id": uuid.uuid4().hex, "type": "case_routed", "case_no": case_no, "site": "LX00",
            "at": "2026-03-02T09:05:00+08:00", "actor": {"staff_id": "routing", "role": "system"},
            "data": {"departments": ["FGW"]}, "service": "routing"}


class _RacingClocks:
    """The clocks collection, with another worker's write landing just before our bulk write."""

    def __init__(self, clocks, case_no):
        self._clocks, self._case_no = clocks, case_no

    def bulk_write(self, ops, **kw):
        self._clocks.update_one({"_id": self._case_no}, {"$inc": {"rev": 1}, "$set": {"wid": "other"}})
        return self._clocks.bulk_write(ops, **kw)

    def __getattr__(self, name):
        return getattr(self._clocks, name)


class _Db:
    def __init__(self, db, clocks):
        self._db, self.clocks = db, clocks

    def __getattr__(self, name):
        return getattr(self._db, name)


@pytest.fixture
def repo_and_commands(mongo_uri):
    commands = CommandLog()
    db = pymongo.MongoClient(mongo_uri, retryWrites=False, event_listeners=[commands])[f"t{uuid.uuid4().hex[:8]}_sla"]
    return SlaRepository(db, outbox=None), commands


def test_several_cases_are_refreshed_with_one_read_of_their_records_and_one_write(repo_and_commands):
    repo, commands = repo_and_commands
    cal, today = WorkCalendar.load(), date(2026, 3, 3)
    cases = [f"LX00-20260302-{n:05d}" for n in range(1, 4)]
    repo.db.timeline.insert_many([_accepted(c) for c in cases])
    first = repo.refresh_many(cases, cal, Policy(), today)
    assert all(after["rev"] == 1 and before is None for before, after in first.values())

    repo.db.timeline.insert_many([_routed(c) for c in cases])
    commands.seen.clear()
    second = repo.refresh_many(cases, cal, Policy(), today)
    assert all(after["rev"] == 2 for _, after in second.values())
    assert [c for c in commands.seen if c[1] == "clocks"] == [("find", "clocks"), ("update", "clocks")]
    stored = {d["_id"]: d for d in repo.db.clocks.find({"_id": {"$in": cases}})}
    assert {c: stored[c]["rev"] for c in cases} == dict.fromkeys(cases, 2)


def test_a_record_rewritten_by_another_worker_meanwhile_is_rebuilt_from_the_events(repo_and_commands):
    repo, _ = repo_and_commands
    cal, today = WorkCalendar.load(), date(2026, 3, 3)
    cases = [f"LX00-20260302-{n:05d}" for n in range(1, 3)]
    repo.db.timeline.insert_many([_accepted(c) for c in cases])
    repo.refresh_many(cases, cal, Policy(), today)
    repo.db.timeline.insert_many([_routed(c) for c in cases])

    plain = repo.db
    repo.db = _Db(plain, _RacingClocks(plain.clocks, cases[0]))
    result = repo.refresh_many(cases, cal, Policy(), today)
    repo.db = plain
    raced = plain.clocks.find_one({"_id": cases[0]})
    # the other write's rev 2 was not overwritten by ours: ours was rebuilt on top of it
    assert raced["rev"] == 3 and raced.get("wid") != "other"
    assert result[cases[0]][1]["rev"] == 3 and result[cases[1]][1]["rev"] == 2
    assert "FGW" in raced["departments"]
