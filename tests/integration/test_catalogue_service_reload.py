"""The catalogue is reloaded without a restart: new cases take the new version, accepted cases
keep theirs, invalid files are refused naming file and entry, and every version stays answerable."""
from __future__ import annotations

import shutil
from pathlib import Path

import grpc
import pytest
import yaml

from hall.catalogue import DEFAULT_ROOT
from hall.runtime.launcher import wait_healthy, wait_port
from hall.tools.sample import person
from hall.v1 import catalogue_pb2 as pb
from tests.integration.hallfixture import eventually
from tests.integration.test_catalogue_service import reader, rpc_error

PROCESSES = ("routing-api", "staff-api", "intake-api", "gateway")


@pytest.fixture
def ref(own_hall, tmp_path) -> Path:
    """The hall reads a private copy of the reference data that the test may change."""
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root)
    own_hall.hall.env.update(HALL_REFERENCE_DIR=str(root), HALL_CATALOGUE_REFRESH_SECONDS="0.3")
    return root


def edit_item(root: Path, code: str, **fields) -> str:
    """Change an item's fields in whichever items file holds it; returns that file's name."""
    for path in sorted((root / "items").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in doc["items"]:
            if item["code"] == code:
                item.update(fields)
                path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
                return f"items/{path.name}"
    raise KeyError(code)


def start(h, *names, **env):
    for name in names:
        h.hall.start(name, env)
    for name in names:
        h.hall.wait_ready(name)


def version(h) -> str:
    return reader(h).GetCatalogueVersion(pb.GetCatalogueVersionRequest()).version


def as_accepted(h, case_no: str) -> tuple[str, int]:
    """The catalogue version and promised limit intake stored with the case."""
    case = h.db("intake").cases.find_one({"_id": case_no})
    return case["catalogue_version"], case["item"]["promised_limit"]


def test_a_reload_is_used_for_new_cases_while_an_accepted_case_keeps_its_version(own_hall, ref, items):
    h, item = own_hall, items["single"]
    h.hall.start("intake-api")  # before routing-api: intake runs but waits for the catalogue
    wait_port(h.settings.host, h.settings.metrics_port("intake-api"), 30)
    with pytest.raises(TimeoutError):
        wait_healthy(h.settings.address("intake-api"), 1)
    start(h, "routing-api", "staff-api", "gateway", HALL_CATALOGUE_POLL_SECONDS="0")
    h.hall.wait_ready("intake-api")
    clerk, admin = h.client("clerk"), reader(h, "admin")
    old_version = version(h)
    before = clerk.accept(item.code, person())
    assert before.promised.limit_days == item.promised_limit

    edit_item(ref, item.code, promised_limit=item.promised_limit - 1)
    reloaded = admin.ReloadCatalogue(pb.ReloadCatalogueRequest())
    assert (reloaded.previous_version, reloaded.changed) == (old_version, True)
    new_version = reloaded.version
    assert version(h) == new_version != old_version
    after = eventually(lambda: (a := clerk.accept(item.code, person())).promised.limit_days
                       == item.promised_limit - 1 and a, "intake to take the new version", every=0.3)
    assert as_accepted(h, after.case_no) == (new_version, item.promised_limit - 1)
    assert as_accepted(h, before.case_no) == (old_version, item.promised_limit)

    h.hall.stop("routing-api")  # every version ever loaded survives a restart
    start(h, "routing-api", HALL_CATALOGUE_POLL_SECONDS="0")
    old_item = admin.GetCatalogueItem(pb.GetCatalogueItemRequest(code=item.code, version=old_version))
    assert (old_item.promised_limit, old_item.catalogue_version) == (item.promised_limit, old_version)
    listed = admin.ListCatalogueVersions(pb.ListCatalogueVersionsRequest()).versions
    assert [(v.version, v.current) for v in listed] == [(old_version, False), (new_version, True)]
    assert [v.loaded_by for v in listed] == ["system", "admin-LX00"]
    again = admin.ReloadCatalogue(pb.ReloadCatalogueRequest())
    assert (again.version, again.changed) == (new_version, False)


def test_an_invalid_change_is_refused_naming_file_and_entry_and_the_old_version_stays_in_force(own_hall, ref, items):
    h, item = own_hall, items["single"]
    start(h, "routing-api", "staff-api", "intake-api", "gateway", HALL_CATALOGUE_POLL_SECONDS="0.3")
    in_force = version(h)
    file = edit_item(ref, item.code, promised_limit=item.legal_limit + 5)

    refusals = h.db("routing").catalogue_reloads
    eventually(lambda: refusals.find_one({"outcome": "refused"}), "the file watch to refuse the change")
    err = rpc_error(lambda: reader(h, "admin").ReloadCatalogue(pb.ReloadCatalogueRequest()))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"{file}: {item.code}: promised limit {item.legal_limit + 5} is above the legal limit" in err.details()
    assert f"catalogue {in_force} stays in force" in err.details()
    assert version(h) == in_force
    assert h.client("clerk").accept(item.code, person()).promised.limit_days == item.promised_limit
    assert [(r["actor"]["staff_id"], r["error"].startswith(file)) for r in refusals.find({"actor.role": "admin"})] \
        == [("admin-LX00", True)]

    clerk_err = rpc_error(lambda: reader(h, "clerk").ReloadCatalogue(pb.ReloadCatalogueRequest()))
    assert clerk_err.code() == grpc.StatusCode.PERMISSION_DENIED and "admin" in clerk_err.details()

    h.hall.stop("routing-api")  # a restart on invalid files keeps the last valid version too
    start(h, "routing-api", HALL_CATALOGUE_POLL_SECONDS="0.3")
    assert version(h) == in_force

    edit_item(ref, item.code, promised_limit=item.legal_limit)  # now valid: picked up unasked
    changed = eventually(lambda: (v := version(h)) != in_force and v, "the file watch to load the fix")
    assert reader(h).GetCatalogueItem(pb.GetCatalogueItemRequest(code=item.code)).catalogue_version == changed
