"""Approval's stores' contract against the real MongoDB-protocol server (SecantusDB)."""

import pytest

from services.approval.repository import MongoReviewRepository, MongoSealKeys
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_approval_repository_contract import ReviewRepositoryContract, SealKeyStoreContract


@pytest.fixture
def db(scratch_db):
    return scratch_db


class TestMongoReviewRepository(ReviewRepositoryContract):
    @pytest.fixture
    def repo(self, db):
        return MongoReviewRepository(db, MemoryOutbox())


class TestMongoSealKeys(SealKeyStoreContract):
    @pytest.fixture
    def keys(self, db):
        return MongoSealKeys(db)
