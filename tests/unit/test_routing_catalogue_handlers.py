"""Routing as the catalogue's owner: its commands over a copy of the reference files and the
in-memory versions repository in place of routing's database."""
import shutil
from datetime import timedelta

import pytest
import yaml

from hall.catalogue import DEFAULT_ROOT
from hall.domain.errors import InvalidArgument, NotFound, Refused
from hall.domain.identity import Actor
from services.routing import handlers
from services.routing.repository import ReferenceFiles
from tests.unit.test_routing_repository_contract import NOW, InMemoryCatalogueVersions

FOOD = "XK00401001-370102-SYJ"
ADMIN = Actor("admin-1", "admin", "LX00")


@pytest.fixture
def ref(tmp_path):
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("calendar"))
    return root


@pytest.fixture
def files(ref):
    return ReferenceFiles(ref)


def set_promised(root, days):
    path = root / "items" / "jjfz.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(i for i in doc["items"] if i["code"] == FOOD)["promised_limit"] = days
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def attempts(versions):
    return [(a["actor"]["staff_id"], a["outcome"]) for a in versions.attempts]


def test_a_reload_of_changed_files_puts_a_new_version_in_force_and_records_who_asked(ref, files):
    versions = InMemoryCatalogueVersions()
    first = handlers.start_catalogue(versions, files, NOW)
    set_promised(ref, 5)
    done = handlers.reload_catalogue(versions, files, ADMIN, NOW + timedelta(seconds=1))
    assert (done.previous, done.changed, versions.current is done.catalogue) == (first.version, True, True)
    assert handlers.catalogue_at(versions, first.version).item(FOOD).promised_limit == 7
    assert handlers.catalogue_at(versions, "").item(FOOD).promised_limit == 5
    assert attempts(versions) == [("system", "loaded"), ("admin-1", "loaded")]
    again = handlers.reload_catalogue(versions, files, ADMIN, NOW + timedelta(seconds=2))
    assert (again.catalogue.version, again.previous, again.changed) == (done.catalogue.version,) * 2 + (False,)


def test_an_invalid_reload_is_refused_with_file_and_entry_and_changes_nothing(ref, files):
    versions = InMemoryCatalogueVersions()
    first = handlers.start_catalogue(versions, files, NOW)
    set_promised(ref, 99)
    with pytest.raises(Refused) as info:
        handlers.reload_catalogue(versions, files, ADMIN, NOW)
    assert f"items/jjfz.yaml: {FOOD}: promised limit 99" in str(info.value)
    assert f"catalogue {first.version} stays in force" in str(info.value)
    assert versions.current is first and list(versions.records) == [first.version]
    assert attempts(versions)[-1] == ("admin-1", "refused")


def test_a_restart_on_invalid_files_starts_with_the_version_last_in_force(ref, files):
    versions = InMemoryCatalogueVersions()
    first = handlers.start_catalogue(versions, files, NOW)
    set_promised(ref, 99)
    restarted = InMemoryCatalogueVersions()  # a new process: nothing in memory, the same record
    restarted.snapshots, restarted.records, restarted.attempts = versions.snapshots, versions.records, versions.attempts
    assert handlers.start_catalogue(restarted, ReferenceFiles(ref), NOW + timedelta(minutes=1)).version == first.version
    assert restarted.current.item(FOOD).promised_limit == 7


def test_with_invalid_files_and_no_version_ever_loaded_the_service_does_not_start(ref, files):
    set_promised(ref, 99)
    with pytest.raises(SystemExit, match="no valid catalogue"):
        handlers.start_catalogue(InMemoryCatalogueVersions(), files, NOW)


def test_an_unknown_version_is_not_found_and_an_overlong_one_is_refused(files):
    versions = InMemoryCatalogueVersions()
    handlers.start_catalogue(versions, files, NOW)
    with pytest.raises(NotFound, match="was ever loaded"):
        handlers.catalogue_at(versions, "0123456789ab")
    with pytest.raises(InvalidArgument):
        handlers.catalogue_at(versions, "x" * 65)


def test_the_file_watch_reloads_only_what_changed_and_logs_a_refusal(ref, files):
    versions = InMemoryCatalogueVersions()
    first = handlers.start_catalogue(versions, files, NOW)
    assert not files.changed()
    set_promised(ref, 99)
    assert files.changed()
    assert handlers.reload_changed_files(versions, files, NOW) is None
    assert not files.changed() and versions.current is first
    set_promised(ref, 5)
    assert handlers.reload_changed_files(versions, files, NOW).item(FOOD).promised_limit == 5


def test_the_version_in_force_answers_with_its_record(files):
    versions = InMemoryCatalogueVersions()
    cat = handlers.start_catalogue(versions, files, NOW)
    record, current = handlers.version_in_force(versions)
    assert (record["_id"], record["loaded_by"]["staff_id"], current) == (cat.version, "system", cat.version)


def test_queries_refuse_unknown_codes_and_filter_items(files):
    cat = handlers.start_catalogue(InMemoryCatalogueVersions(), files, NOW)
    with pytest.raises(InvalidArgument, match="unknown sector"):
        handlers.items(cat, sector="nowhere")
    with pytest.raises(NotFound):
        handlers.item(cat, "nope")
    assert all(i.sector == "商事登记" for i in handlers.items(cat, sector="商事登记"))
    assert FOOD in [i.code for i in handlers.items(cat, window="LX00-W01")]
