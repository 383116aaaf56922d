"""The staff repository's contract against the real MongoDB-protocol server (SecantusDB)."""
import uuid

import pytest

from hall.infra.mongo import connect
from services.staff.repository import MongoStaffRepository
from tests.unit.test_staff_repository_contract import StaffRepositoryContract


@pytest.fixture(scope="module")
def client(mongo_uri):
    c = connect(mongo_uri)
    yield c
    c.close()


class TestMongoStaffRepository(StaffRepositoryContract):
    @pytest.fixture
    def repo(self, client):
        name = f"test_staff_{uuid.uuid4().hex[:10]}"
        yield MongoStaffRepository(client[name])
        client.drop_database(name)

    def test_no_secret_is_stored_in_the_change_log(self, repo):
        from tests.unit.test_staff_repository_contract import NOW
        from hall.domain.staff import Change
        repo.record(Change("LX00-C01", "admin", NOW, "password set", {}))
        doc = repo.db.staff_changes.find_one({})
        assert set(doc) == {"_id", "staff_id", "by", "at", "what", "fields"} and doc["at"].endswith("+08:00")
