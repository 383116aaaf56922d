"""Intake's store contract against the real MongoDB-protocol server (SecantusDB)."""
import uuid

import pytest

from hall.infra.mongo import connect
from services.intake.repository import MongoIntakeRepository
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_intake_repository_contract import IntakeStoreContract


@pytest.fixture
def db(mongo_uri):
    """A database of the test's own, dropped after it."""
    client, name = connect(mongo_uri), f"test_intake_{uuid.uuid4().hex[:10]}"
    yield client[name]
    client.drop_database(name)
    client.close()


class TestMongoIntakeRepository(IntakeStoreContract):
    @pytest.fixture
    def outbox(self):
        return MemoryOutbox()

    @pytest.fixture
    def repo(self, db, outbox):
        return MongoIntakeRepository(db, outbox)

    def test_events_are_stored_with_their_change_for_the_sweep(self, repo):
        from tests.unit.test_intake_repository_contract import case, event
        repo.add_case(case(), [event()])
        assert repo.db.cases.find_one({})["out_at"] is not None


def test_two_intakes_reserve_distinct_blocks_without_find_and_modify(db):
    """Case numbers from two repositories over one database (two intake processes) never
    repeat, a block claimed by the other is skipped, a counter of the earlier single-document
    kind is continued, and no findAndModify is sent (it scans the collection here)."""
    from datetime import date
    from tests.integration.helpers import CommandLog
    day = date(2026, 12, 3)
    db.counters.insert_one({"_id": f"LX00/{day:%Y%m%d}", "next": 7})  # an earlier version's counter
    log = CommandLog()
    client = type(db.client)(db.client.address[0], db.client.address[1], retryWrites=False,
                             event_listeners=[log])
    try:
        one, two = (MongoIntakeRepository(client[db.name], MemoryOutbox()) for _ in range(2))
        got = [r.next_sequence("LX00", day) for _ in range(60) for r in (one, two)]
        assert len(set(got)) == len(got) == 120
        assert min(got) == 8
        assert not [c for c, _ in log.seen if c.lower() == "findandmodify"]
    finally:
        client.close()
