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


def test_seeding_the_real_database_twice_adds_each_member_once(client):
    from hall.catalogue import load_catalogue
    from services.staff import handlers
    from tests.unit.test_staff_repository_contract import NOW
    from tests.unit.test_staff_rules import POLICY
    name = f"test_staff_{uuid.uuid4().hex[:10]}"
    try:
        repo, cat = MongoStaffRepository(client[name]), load_catalogue()
        assert len(handlers.seed(repo, cat.staff.values(), NOW)) == len(cat.staff)
        password = handlers.ensure_admin_password(repo, POLICY, NOW)
        assert password and handlers.ensure_admin_password(repo, POLICY, NOW) is None
        assert handlers.seed(repo, cat.staff.values(), NOW) == []
        assert len(repo.list(role="chief")) == 26
        assert client[name].staff_changes.count_documents({"what": "added", "by": "system"}) == len(cat.staff)
    finally:
        client.drop_database(name)
