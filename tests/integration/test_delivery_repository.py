"""Delivery's store and its recording notifier against the real MongoDB-protocol server
(SecantusDB): the same contracts as the in-memory fakes."""
import uuid

import pytest

from hall.infra.mongo import connect
from services.delivery.repository import MongoIssuanceRepository, RecordingNotifier
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_delivery_repository_contract import IssuanceRepositoryContract, NotifierContract


@pytest.fixture(scope="module")
def client(mongo_uri):
    c = connect(mongo_uri)
    yield c
    c.close()


@pytest.fixture
def db(client):
    name = f"test_delivery_{uuid.uuid4().hex[:10]}"
    yield client[name]
    client.drop_database(name)


class TestRecordingNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self, db):
        return RecordingNotifier(db)


class TestMongoIssuanceRepository(IssuanceRepositoryContract):
    @pytest.fixture
    def repo(self, db):
        return MongoIssuanceRepository(db, MemoryOutbox())
