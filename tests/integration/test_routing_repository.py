"""Routing's repositories' contract against the real MongoDB-protocol server (SecantusDB)."""
import pytest

from services.routing.repository import MongoCatalogueVersions, MongoRouteRepository
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_routing_repository_contract import CatalogueVersionsContract, RouteRepositoryContract


@pytest.fixture
def db(scratch_db):
    return scratch_db


class TestMongoRouteRepository(RouteRepositoryContract):
    @pytest.fixture
    def outbox(self):
        return MemoryOutbox()

    @pytest.fixture
    def repo(self, db, outbox):
        return MongoRouteRepository(db, outbox)

    def test_the_event_is_stored_with_the_route_for_the_relay_to_sweep(self, repo, db):
        from tests.unit.test_routing_repository_contract import accepted, outcome
        cause = accepted()
        repo.record(cause.id, outcome("case_held", cause))
        doc = db.routes.find_one({"_id": cause.id})
        assert doc["type"] == "case_held" and len(doc["out"]) == 1 and "out_at" in doc


class TestMongoCatalogueVersions(CatalogueVersionsContract):
    @pytest.fixture
    def versions(self, db):
        return MongoCatalogueVersions(db)
