"""Approval's stores' contract against the real MongoDB-protocol server (SecantusDB)."""
import uuid

import pytest

from hall.infra.mongo import connect
from services.approval.repository import MongoReviewRepository, MongoSealKeys
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_approval_repository_contract import ReviewRepositoryContract, SealKeyStoreContract


@pytest.fixture(scope="module")
def client(mongo_uri):
    c = connect(mongo_uri)
    yield c
    c.close()


@pytest.fixture
def db(client):
    name = f"test_approval_{uuid.uuid4().hex[:10]}"
    yield client[name]
    client.drop_database(name)


class TestMongoReviewRepository(ReviewRepositoryContract):
    @pytest.fixture
    def repo(self, db):
        return MongoReviewRepository(db, MemoryOutbox())


class TestMongoSealKeys(SealKeyStoreContract):
    @pytest.fixture
    def keys(self, db):
        return MongoSealKeys(db)
