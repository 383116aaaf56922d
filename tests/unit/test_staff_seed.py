"""The staff seed (reference/staff.yaml) is reference data: validated at load with the file and
entry named, carried in the catalogue snapshot, and shaped as the Lixia plan sets the hall up."""
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from hall.catalogue import CatalogueError, DEFAULT_ROOT, from_snapshot, load_catalogue, to_snapshot

FILE = "staff.yaml"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.fixture
def ref(tmp_path) -> Path:
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("calendar"))
    return root


def edit_member(root: Path, staff_id: str, **changes):
    path = root / FILE
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    member = next(m for m in doc["staff"] if m["staff_id"] == staff_id)
    for key, value in changes.items():
        if value is None:
            member.pop(key, None)
        else:
            member[key] = value
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def append_member(root: Path, member: dict):
    path = root / FILE
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["staff"].append(member)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def refused(root, entry: str, *words: str):
    with pytest.raises(CatalogueError) as info:
        load_catalogue(root)
    err = info.value
    assert (err.file, err.entry) == (FILE, entry), str(err)
    for w in words:
        assert w in str(err)
    return err


# --- validation ---------------------------------------------------------------------------

def test_a_member_at_an_unknown_site_is_refused(ref):
    edit_member(ref, "LX00-C01", site="LX99")
    refused(ref, "LX00-C01", "unknown site 'LX99'")


def test_a_member_of_an_unknown_department_is_refused(ref):
    edit_member(ref, "LX-SYJ-R01", department="XYZ")
    refused(ref, "LX-SYJ-R01", "unknown department 'XYZ'")


def test_a_clerk_trained_for_an_unknown_sector_is_refused(ref):
    edit_member(ref, "LX00-C01", sectors=["经济发展", "城市建设", "社会服务", "航天"])
    refused(ref, "LX00-C01", "unknown sector '航天'")


def test_a_clerk_at_an_unknown_window_is_refused(ref):
    edit_member(ref, "LX00-C01", windows=["LX00-W01", "LX00-W99"])
    refused(ref, "LX00-C01", "unknown window 'LX00-W99'")


def test_a_clerk_at_a_window_of_another_site_is_refused(ref):
    edit_member(ref, "LX03-C01", windows=["LX03-W01", "LX04-W01"])
    refused(ref, "LX03-C01", "window LX04-W01 is at LX04, not at LX03")


def test_a_clerk_at_a_window_taking_sectors_they_are_not_trained_for_is_refused(ref):
    edit_member(ref, "LX00-C01", windows=["LX00-W01", "LX00-W09"])
    refused(ref, "LX00-C01", "LX00-W09", "商事登记")


def test_an_unknown_role_is_refused(ref):
    edit_member(ref, "LX00-S01", roles=["supervisor", "boss"])
    refused(ref, "LX00-S01", "unknown role 'boss'")


def test_a_reviewer_without_a_department_is_refused(ref):
    edit_member(ref, "LX-SYJ-R01", department=None)
    refused(ref, "LX-SYJ-R01", "needs a department")


def test_a_service_account_id_is_not_a_member_of_staff(ref):
    append_member(ref, {"staff_id": "svc-intake", "name": "受理服务", "roles": ["clerk"], "site": "LX00"})
    refused(ref, "svc-intake", "svc-")


def test_a_duplicate_staff_id_is_refused(ref):
    append_member(ref, {"staff_id": "LX00-C01", "name": "重复者", "roles": ["clerk"], "site": "LX00"})
    refused(ref, "LX00-C01", "duplicate staff id 'LX00-C01'")


def test_a_chief_not_named_in_departments_yaml_is_refused(ref):
    edit_member(ref, "LX-SYJ-R01", roles=["chief", "reviewer"])
    refused(ref, "LX-SYJ-R01", "does not name LX-SYJ-R01 chief representative of SYJ")


def test_a_chief_with_another_name_than_departments_yaml_is_refused(ref):
    edit_member(ref, "LX-SYJ-01", name="赵明")
    refused(ref, "LX-SYJ-01", "赵明远")


def test_the_chief_of_departments_yaml_listed_without_the_chief_role_is_refused(ref):
    edit_member(ref, "LX-SYJ-01", roles=["reviewer"])
    refused(ref, "LX-SYJ-01", "chief representative of SYJ")


def test_an_unknown_field_is_refused(ref):
    edit_member(ref, "admin", password="hunter2hunter2")
    refused(ref, "admin", "unknown field(s) password")


# --- snapshot -----------------------------------------------------------------------------

def test_the_seed_travels_in_the_snapshot_without_secrets(cat):
    snap = json.loads(json.dumps(to_snapshot(cat), ensure_ascii=False))
    assert {tuple(sorted(m)) for m in snap["staff"]} == {
        ("department", "name", "roles", "sectors", "site", "staff_id", "windows")}
    assert from_snapshot(snap).staff == cat.staff


def test_an_older_snapshot_without_staff_still_rebuilds(cat):
    snap = to_snapshot(cat)
    del snap["staff"]
    assert dict(from_snapshot(snap).staff) == {}


# --- figures ------------------------------------------------------------------------------

def test_the_26_chief_representatives_are_those_of_departments_yaml(cat):
    chiefs = {m.staff_id: m for m in cat.staff.values() if "chief" in m.roles}
    assert len(chiefs) == 26 == len(cat.departments)
    for d in cat.departments.values():
        m = chiefs[d.chief.staff_id]
        assert (m.name, m.department, m.site) == (d.chief.name, d.code, d.site)
        assert m.roles == ("chief", "reviewer")


def test_every_department_has_reviewers_besides_its_chief(cat):
    reviewers = Counter(m.department for m in cat.staff.values() if m.roles == ("reviewer",))
    assert set(reviewers) == set(cat.departments) and min(reviewers.values()) >= 2


def test_clerks_cover_all_40_front_windows_of_the_district_hall(cat):
    front = {w.id for w in cat.windows_at("LX00") if w.kind == "front"}
    covered = {w for m in cat.staff.values() if "clerk" in m.roles for w in m.windows}
    assert len(front) == 40 and front <= covered


def test_the_plan_s_25_front_desk_staff_serve_the_comprehensive_windows(cat):
    comprehensive = [m for m in cat.staff.values() if m.site == "LX00" and "clerk" in m.roles
                     and not m.department]
    assert len(comprehensive) == 25


def test_every_street_centre_and_sub_centre_has_clerks_and_an_issuer(cat):
    for site in cat.sites.values():
        if site.kind == "hall":
            continue
        here = [m for m in cat.staff.values() if m.site == site.code]
        assert any("clerk" in m.roles for m in here), site.code
        assert any("issuer" in m.roles for m in here), site.code


def test_each_issuance_position_of_the_hall_has_an_issuer(cat):
    positions = {w.id for w in cat.windows_at("LX00") if w.kind == "issuance"}
    staffed = {w for m in cat.staff.values() if "issuer" in m.roles for w in m.windows}
    assert len(positions) == 4 and positions <= staffed


def test_two_supervisors_and_one_administrator(cat):
    supervisors = [m for m in cat.staff.values() if "supervisor" in m.roles]
    assert len(supervisors) == 2 and all(m.site == "LX00" and not m.department for m in supervisors)
    admins = [m for m in cat.staff.values() if "admin" in m.roles]
    assert [m.staff_id for m in admins] == ["admin"]


def test_names_are_unique(cat):
    names = Counter(m.name for m in cat.staff.values())
    assert names.most_common(1)[0][1] == 1
