"""Routing's keeper of catalogue versions, over a copy of the reference files and an in-memory
record in place of routing's database."""
import shutil

import pytest
import yaml

from hall.catalogue import DEFAULT_ROOT, to_snapshot
from hall.domain.errors import NotFound, Refused
from hall.domain.identity import Actor
from services.routing.catalogue_keeper import CatalogueKeeper

FOOD = "XK00401001-370102-SYJ"
ADMIN = Actor("admin-1", "admin", "LX00")


class MemoryRepository:
    """Keeps what CatalogueRepository keeps, in dicts."""

    def __init__(self):
        self.snapshots, self.attempts = {}, []

    def save_version(self, cat, at, actor):
        if cat.version in self.snapshots:
            return False
        self.snapshots[cat.version] = to_snapshot(cat)
        return True

    def snapshot(self, version):
        return self.snapshots.get(version)

    def record_attempt(self, at, actor, outcome, version, previous, error=""):
        self.attempts.append((actor.staff_id, outcome, version, previous, error))

    def last_in_force(self):
        return next((a[2] for a in reversed(self.attempts) if a[1] == "loaded"), None)


@pytest.fixture
def ref(tmp_path):
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("calendar"))
    return root


def set_promised(root, days):
    path = root / "items" / "jjfz.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(i for i in doc["items"] if i["code"] == FOOD)["promised_limit"] = days
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_reload_of_changed_files_puts_a_new_version_in_force_and_records_who_asked(ref):
    repo = MemoryRepository()
    keeper = CatalogueKeeper(ref, repo)
    first = keeper.start()
    set_promised(ref, 5)
    cat, previous, changed = keeper.reload(ADMIN)
    assert (previous, changed, keeper.current is cat) == (first.version, True, True)
    assert keeper.get(first.version).item(FOOD).promised_limit == 7
    assert [(a[0], a[1]) for a in repo.attempts] == [("system", "loaded"), ("admin-1", "loaded")]


def test_an_invalid_reload_is_refused_with_file_and_entry_and_changes_nothing(ref):
    repo = MemoryRepository()
    keeper = CatalogueKeeper(ref, repo)
    first = keeper.start()
    set_promised(ref, 99)
    with pytest.raises(Refused) as info:
        keeper.reload(ADMIN)
    assert f"items/jjfz.yaml: {FOOD}: promised limit 99" in str(info.value)
    assert f"catalogue {first.version} stays in force" in str(info.value)
    assert keeper.current is first and list(repo.snapshots) == [first.version]
    assert repo.attempts[-1][:2] == ("admin-1", "refused")


def test_a_restart_on_invalid_files_starts_with_the_version_last_in_force(ref):
    repo = MemoryRepository()
    first = CatalogueKeeper(ref, repo).start()
    set_promised(ref, 99)
    restarted = CatalogueKeeper(ref, repo)
    assert restarted.start().version == first.version
    assert restarted.current.item(FOOD).promised_limit == 7


def test_with_invalid_files_and_no_version_ever_loaded_the_service_does_not_start(ref):
    set_promised(ref, 99)
    with pytest.raises(SystemExit, match="no valid catalogue"):
        CatalogueKeeper(ref, MemoryRepository()).start()


def test_a_version_only_in_the_stored_record_is_rebuilt_and_an_unknown_one_is_not_found(ref):
    repo = MemoryRepository()
    old = CatalogueKeeper(ref, repo).start()
    set_promised(ref, 5)
    fresh = CatalogueKeeper(ref, repo)  # a new process: nothing in memory
    fresh.start()
    assert fresh.get(old.version).item(FOOD).promised_limit == 7
    with pytest.raises(NotFound, match="was ever loaded"):
        fresh.get("0123456789ab")
