"""Delivery's store and its recording notifier against the real MongoDB-protocol server
(SecantusDB): the same contracts as the in-memory fakes."""

import pytest

from services.delivery.repository import MongoIssuanceRepository, RecordingNotifier
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_delivery_repository_contract import IssuanceRepositoryContract, NotifierContract


@pytest.fixture
def db(scratch_db):
    return scratch_db


class TestRecordingNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self, db):
        return RecordingNotifier(db)


class TestMongoIssuanceRepository(IssuanceRepositoryContract):
    @pytest.fixture
    def repo(self, db):
        return MongoIssuanceRepository(db, MemoryOutbox())
