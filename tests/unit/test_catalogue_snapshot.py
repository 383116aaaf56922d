"""A catalogue travels as a plain snapshot and is rebuilt unchanged, checked again, without files."""
import copy
import json
import shutil

import pytest
import yaml

from hall.catalogue import CatalogueError, DEFAULT_ROOT, from_snapshot, load_catalogue, to_snapshot

FOOD = "XK00401001-370102-SYJ"
SECTIONS = ("sectors", "sites", "departments", "licence_types", "items", "windows")


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def through_json(snapshot: dict) -> dict:
    return json.loads(json.dumps(snapshot, ensure_ascii=False))


def test_a_snapshot_is_plain_json_and_rebuilds_the_same_catalogue(cat):
    rebuilt = from_snapshot(through_json(to_snapshot(cat)))
    assert rebuilt.version == cat.version
    for section in SECTIONS:
        assert dict(getattr(rebuilt, section)) == dict(getattr(cat, section)), section
    assert rebuilt.delegations == cat.delegations


def test_a_rebuilt_catalogue_answers_the_questions_intake_asks_as_the_original_does(cat):
    from datetime import date
    rebuilt = from_snapshot(through_json(to_snapshot(cat)))
    day = date(2026, 3, 2)
    for code in cat.items:
        assert rebuilt.missing_delegations(code, day) == cat.missing_delegations(code, day)
        assert rebuilt.windows_accepting("LX00", code) == cat.windows_accepting("LX00", code)
        assert rebuilt.windows_accepting("LX03", code) == cat.windows_accepting("LX03", code)
    assert rebuilt.item(FOOD).snapshot() == cat.item(FOOD).snapshot()
    assert [f.amount for i in rebuilt.items.values() for f in i.fees] == \
        [f.amount for i in cat.items.values() for f in i.fees]


def test_an_older_version_rebuilt_from_its_snapshot_is_unaffected_by_later_file_changes(tmp_path):
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("calendar"))
    old = to_snapshot(load_catalogue(root))
    path = root / "items" / "jjfz.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(i for i in doc["items"] if i["code"] == FOOD)["promised_limit"] = 3
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    new = load_catalogue(root)
    rebuilt_old = from_snapshot(through_json(old))
    assert new.version != rebuilt_old.version == old["version"]
    assert (new.item(FOOD).promised_limit, rebuilt_old.item(FOOD).promised_limit) == (3, 7)


def test_a_snapshot_breaking_a_load_rule_is_refused_naming_the_snapshot_and_the_entry(cat):
    bad = through_json(to_snapshot(cat))
    next(i for i in bad["items"] if i["code"] == FOOD)["promised_limit"] = 99
    with pytest.raises(CatalogueError) as info:
        from_snapshot(bad)
    assert info.value.file == f"snapshot {cat.version}"
    assert FOOD in info.value.entry and "promised limit 99 is above the legal limit" in str(info.value)


def test_a_damaged_record_in_a_snapshot_is_refused_naming_its_section_and_key(cat):
    bad = through_json(to_snapshot(cat))
    bad["sites"][0]["colour"] = "red"
    with pytest.raises(CatalogueError) as info:
        from_snapshot(bad)
    assert info.value.entry == "sites LX00" and "damaged record" in str(info.value)


@pytest.mark.parametrize("change", [
    lambda s: s.update(schema=99),
    lambda s: s.pop("version"),
    lambda s: s.pop("windows"),
])
def test_something_that_is_not_a_whole_snapshot_is_refused(cat, change):
    bad = copy.deepcopy(to_snapshot(cat))
    change(bad)
    with pytest.raises(CatalogueError):
        from_snapshot(bad)


def test_which_departments_delegate_is_derived_again_from_their_sector_not_trusted(cat):
    snap = through_json(to_snapshot(cat))
    for d in snap["departments"]:
        d["delegated"] = not d["delegated"]
    rebuilt = from_snapshot(snap)
    assert {c: d.delegated for c, d in rebuilt.departments.items()} == \
        {c: d.delegated for c, d in cat.departments.items()}


def test_the_courier_tariff_travels_in_the_snapshot(cat):
    rebuilt = from_snapshot(json.loads(json.dumps(to_snapshot(cat))))
    assert rebuilt.delivery_area == cat.delivery_area and rebuilt.courier_zones == cat.courier_zones
    assert rebuilt.delivery_area.quote("济南市章丘区明水街道汇泉路1号").fee_fen == 1500
