"""The SLA store's contract against the real MongoDB-protocol server (SecantusDB): the same
tests the in-memory fake passes (tests/unit/test_sla_repository_contract.py)."""
import uuid

import pytest

from hall.infra.mongo import connect
from services.sla.repository import SlaRepository
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_sla_repository_contract import SlaRepositoryContract


class TestMongoSlaRepository(SlaRepositoryContract):
    @pytest.fixture
    def repo(self, mongo_uri):
        """A fresh database of its own for each test, dropped after it."""
        with connect(mongo_uri) as client:
            name = f"test_sla_{uuid.uuid4().hex[:10]}"
            yield SlaRepository(client[name], MemoryOutbox())
            client.drop_database(name)
