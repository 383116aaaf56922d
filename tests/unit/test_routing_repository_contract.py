"""One contract for routing's repositories, run against the in-memory fakes here and against
the real MongoDB-protocol server in tests/integration/test_routing_repository.py, so the fakes
the handler tests use cannot drift from the real thing."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from hall.catalogue import from_snapshot, load_catalogue, to_snapshot
from hall.domain.clock import SHANGHAI
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM, Actor
from hall.domain.routing_store import CatalogueVersions, RouteRepository
from tests.unit.fakes import MemoryOutbox

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
ADMIN = Actor("admin-LX00", "admin", "LX00")


class InMemoryRouteRepository(RouteRepository):
    """The fake: routes kept in a dict by cause, each event handed to the outbox once."""

    def __init__(self, outbox):
        super().__init__(outbox)
        self.routes: dict[str, dict] = {}

    def record(self, cause_id, event):
        if cause_id in self.routes:
            return False
        self.routes[cause_id] = {"case_no": event.case_no, "type": event.type, "out": [event.to_dict()]}
        self.outbox.handed([event.to_dict()])
        return True

    def held(self, case_no):
        doc = next((d for d in self.routes.values() if d["case_no"] == case_no and d["type"] == "case_held"), None)
        return copy.deepcopy(doc["out"][0]) if doc else None


class InMemoryCatalogueVersions(CatalogueVersions):
    """The fake: snapshots and load attempts kept in memory, in the order they came."""

    def __init__(self):
        super().__init__()
        self.records: dict[str, dict] = {}
        self.snapshots: dict[str, dict] = {}
        self.attempts: list[dict] = []

    def save_version(self, catalogue, at, actor):
        if catalogue.version in self.records:
            return False
        self.snapshots[catalogue.version] = to_snapshot(catalogue)
        self.records[catalogue.version] = {"_id": catalogue.version, "loaded_at": at.isoformat(timespec="microseconds"),
                                           "loaded_by": actor.to_dict(), "items": len(catalogue.items)}
        return True

    def stored(self, version):
        snap = self.snapshots.get(version)
        return from_snapshot(snap) if snap else None

    def list_versions(self):
        return [copy.deepcopy(r) for r in sorted(self.records.values(), key=lambda r: r["loaded_at"])]

    def version_record(self, version):
        return copy.deepcopy(self.records.get(version))

    def record_attempt(self, at, actor, outcome, version, previous, error=""):
        self.attempts.append({"at": at, "actor": actor.to_dict(), "outcome": outcome, "version": version,
                              "previous": previous, "error": error})

    def last_in_force(self):
        loaded = [a for a in self.attempts if a["outcome"] == "loaded"]
        return max(loaded, key=lambda a: a["at"])["version"] if loaded else None


def accepted(case_no="LX00-20261126-00000001"):
    return new_event("case_accepted", case_no, "LX00", NOW, SYSTEM.to_dict(), {"item": {"departments": []}})


def outcome(type_, cause, case_no="LX00-20261126-00000001"):
    return new_event(type_, case_no, "LX00", NOW, SYSTEM.to_dict(), {"reason": "nobody"}, caused_by=cause.id)


class RouteRepositoryContract:
    """Subclasses give `repo`: an empty route repository of their kind over `outbox`."""

    def test_an_outcome_is_stored_once_per_cause_and_its_event_handed_over_at_once(self, repo, outbox):
        cause = accepted()
        held = outcome("case_held", cause)
        assert repo.record(cause.id, held)
        assert [e["id"] for e in outbox.published] == [held.id]
        assert not repo.record(cause.id, held)
        assert [e["id"] for e in outbox.published] == [held.id]

    def test_a_held_case_reads_back_its_held_event_and_a_routed_one_is_not_held(self, repo):
        cause = accepted()
        repo.record(cause.id, outcome("case_held", cause))
        assert repo.held(cause.case_no)["data"]["reason"] == "nobody"
        other = accepted("LX00-20261126-00000002")
        repo.record(other.id, new_event("case_routed", other.case_no, "LX00", NOW, SYSTEM.to_dict(),
                                        {"departments": ["SYJ"]}, caused_by=other.id))
        assert repo.held(other.case_no) is None and repo.held("LX00-nobody") is None


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


class CatalogueVersionsContract:
    """Subclasses give `versions`: an empty catalogue versions repository of their kind."""

    def test_a_version_is_kept_once_and_comes_back_whole(self, versions, catalogue):
        assert versions.save_version(catalogue, NOW, SYSTEM)
        assert not versions.save_version(catalogue, NOW + timedelta(seconds=1), ADMIN)
        assert to_snapshot(versions.stored(catalogue.version)) == to_snapshot(catalogue)
        assert versions.stored("0123456789ab") is None and versions.get("0123456789ab") is None

    def test_versions_are_listed_oldest_first_with_who_loaded_them(self, versions, catalogue):
        other = from_snapshot({**to_snapshot(catalogue), "version": "000000000000"})
        versions.save_version(catalogue, NOW + timedelta(hours=1), ADMIN)
        versions.save_version(other, NOW, SYSTEM)
        listed = versions.list_versions()
        assert [(d["_id"], d["loaded_by"]["staff_id"]) for d in listed] == \
            [("000000000000", "system"), (catalogue.version, "admin-LX00")]
        assert listed[1]["items"] == len(catalogue.items) and "snapshot" not in listed[1]
        assert versions.version_record(catalogue.version) == listed[1]

    def test_the_last_successful_load_names_the_version_to_fall_back_on(self, versions):
        assert versions.last_in_force() is None
        versions.record_attempt(NOW, SYSTEM, "loaded", "aaaaaaaaaaaa", None)
        versions.record_attempt(NOW + timedelta(seconds=1), ADMIN, "loaded", "bbbbbbbbbbbb", "aaaaaaaaaaaa")
        versions.record_attempt(NOW + timedelta(seconds=2), ADMIN, "refused", None, "bbbbbbbbbbbb", "items/x.yaml: …")
        assert versions.last_in_force() == "bbbbbbbbbbbb"

    def test_the_version_put_in_force_is_current_and_a_stored_one_is_rebuilt_once(self, versions, catalogue):
        versions.save_version(catalogue, NOW, SYSTEM)
        rebuilt = versions.get(catalogue.version)
        assert rebuilt.version == catalogue.version and versions.get(catalogue.version) is rebuilt
        assert versions.put_in_force(rebuilt) == (rebuilt, None) and versions.current is rebuilt
        assert versions.put_in_force(catalogue) == (rebuilt, catalogue.version)


class TestInMemoryRouteRepository(RouteRepositoryContract):
    @pytest.fixture
    def outbox(self):
        return MemoryOutbox()

    @pytest.fixture
    def repo(self, outbox):
        return InMemoryRouteRepository(outbox)


class TestInMemoryCatalogueVersions(CatalogueVersionsContract):
    @pytest.fixture
    def versions(self):
        return InMemoryCatalogueVersions()
