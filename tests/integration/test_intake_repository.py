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
