"""Broken reference files are refused with the file and entry named; reloads keep the last good version."""
import shutil
from pathlib import Path

import pytest
import yaml

from hall.catalogue import CatalogueError, CatalogueStore, DEFAULT_ROOT, load_catalogue

FOOD = "XK00401001-370102-SYJ"


@pytest.fixture
def ref(tmp_path) -> Path:
    """A private copy of the shipped reference data (without the workday calendar)."""
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("calendar"))
    return root


def edit(root: Path, name: str, change):
    """Load a YAML file, let `change` mutate it, and write it back."""
    path = root / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def item_in(doc, code):
    return next(i for i in doc["items"] if i["code"] == code)


def refused(root) -> CatalogueError:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(root)
    return info.value


def test_an_item_naming_an_unknown_department_is_refused(ref):
    edit(ref, "items/jjfz.yaml", lambda d: item_in(d, FOOD).update(departments=["SYJ", "XYZ"]))
    err = refused(ref)
    assert err.file == "items/jjfz.yaml" and err.entry == FOOD
    assert "items/jjfz.yaml" in str(err) and FOOD in str(err) and "XYZ" in str(err)


def test_a_promised_limit_above_the_legal_one_is_refused(ref):
    edit(ref, "items/jjfz.yaml", lambda d: item_in(d, FOOD).update(promised_limit=25))
    err = refused(ref)
    assert (err.file, err.entry) == ("items/jjfz.yaml", FOOD)
    assert "promised limit 25 is above the legal limit 20" in str(err)


def test_a_material_naming_an_unknown_licence_type_is_refused(ref):
    def change(doc):
        materials = item_in(doc, FOOD)["materials"]  # entries may be shared YAML anchors
        materials[1] = {**materials[1], "licence_type": "NOSUCH"}
    edit(ref, "items/jjfz.yaml", change)
    err = refused(ref)
    assert (err.file, err.entry) == ("items/jjfz.yaml", FOOD)
    assert "unknown e-licence type 'NOSUCH'" in str(err)


def test_a_duplicate_item_code_is_refused_even_across_files(ref):
    def dup(doc):
        copy = dict(item_in(doc, "QT00102000-370102-FGW"))
        copy["code"] = "QR02201000-370102-SCJG"
        copy["departments"], copy["sector"] = ["SCJG"], "商事登记"
        doc["items"].append(copy)
    edit(ref, "items/jjfz.yaml", dup)
    err = refused(ref)
    assert err.file.startswith("items/") and err.entry == "QR02201000-370102-SCJG"
    assert "duplicate item code" in str(err)


def test_a_duplicate_department_code_is_refused(ref):
    edit(ref, "departments.yaml", lambda d: d["departments"].append(dict(d["departments"][0])))
    err = refused(ref)
    assert (err.file, err.entry) == ("departments.yaml", "FGW") and "duplicate" in str(err)


def test_an_unknown_sector_is_refused(ref):
    edit(ref, "departments.yaml", lambda d: d["departments"][0].update(sector="经济建设"))
    err = refused(ref)
    assert (err.file, err.entry) == ("departments.yaml", "FGW") and "unknown sector" in str(err)


def test_a_missing_required_field_is_refused(ref):
    edit(ref, "items/jjfz.yaml", lambda d: item_in(d, FOOD).pop("legal_limit"))
    err = refused(ref)
    assert (err.file, err.entry) == ("items/jjfz.yaml", FOOD)
    assert "missing required field 'legal_limit'" in str(err)


def test_a_misspelt_field_is_refused_rather_than_ignored(ref):
    edit(ref, "sites.yaml", lambda d: d["sites"][0].update(adress="x"))
    err = refused(ref)
    assert (err.file, err.entry) == ("sites.yaml", "LX00") and "adress" in str(err)


def test_a_window_accepting_an_unknown_item_is_refused(ref):
    edit(ref, "windows.yaml", lambda d: d["windows"][26].update(items=["XK99999999-370102-GAFJ"]))
    err = refused(ref)
    assert (err.file, err.entry) == ("windows.yaml", "LX00-W27") and "unknown item" in str(err)


def test_a_letter_from_a_department_that_keeps_its_own_windows_is_refused(ref):
    edit(ref, "delegations.yaml", lambda d: d["delegations"][0].update(department="GAFJ"))
    err = refused(ref)
    assert (err.file, err.entry) == ("delegations.yaml", "WT-2018-FGW")


def test_invalid_yaml_names_the_file(ref):
    (ref / "sites.yaml").write_text("sites: [\n", encoding="utf-8")
    err = refused(ref)
    assert err.file == "sites.yaml" and "not valid YAML" in str(err)


def test_the_version_is_a_short_content_hash_that_changes_with_any_file(ref):
    before = load_catalogue(ref).version
    assert before == load_catalogue(ref).version and len(before) == 12
    edit(ref, "items/jjfz.yaml", lambda d: item_in(d, FOOD).update(promised_limit=6))
    assert load_catalogue(ref).version != before


def test_reload_of_broken_files_raises_and_keeps_the_last_valid_version(ref):
    store = CatalogueStore(ref)
    good = store.load()
    edit(ref, "items/jjfz.yaml", lambda d: item_in(d, FOOD).update(promised_limit=99))
    with pytest.raises(CatalogueError):
        store.reload()
    assert store.current is good and store.load() is good


def test_older_versions_still_answer_for_cases_accepted_under_them(ref):
    store = CatalogueStore(ref)
    old = store.load()
    edit(ref, "items/jjfz.yaml", lambda d: item_in(d, FOOD).update(promised_limit=3))
    new = store.reload()
    assert new.version != old.version and store.current is new
    assert store.get(old.version).item(FOOD).promised_limit == 7
    assert new.item(FOOD).promised_limit == 3
    assert store.get("unknown") is None and set(store.versions) == {old.version, new.version}


def test_a_licence_validity_outside_zero_to_fifty_years_is_refused(ref):
    edit(ref, "licence_types.yaml",
         lambda d: next(t for t in d["licence_types"] if t["code"] == "SPJY").update(validity_years=99))
    err = refused(ref)
    assert (err.file, err.entry) == ("licence_types.yaml", "SPJY") and "validity_years" in str(err)


def zone_in(doc, name):
    return next(z for z in doc["courier_zones"] if z["zone"] == name)


def test_the_courier_tariff_is_reference_data_and_a_new_fee_is_a_new_version(ref):
    before = load_catalogue(ref)
    assert before.delivery_area.quote("济南市槐荫区经十路22799号").fee_fen == 1000
    edit(ref, "courier.yaml", lambda d: zone_in(d, "city").update(fee_fen=1200))
    after = load_catalogue(ref)
    assert after.version != before.version
    assert (after.delivery_area.quote("济南市槐荫区经十路22799号").zone,
            after.delivery_area.quote("济南市槐荫区经十路22799号").fee_fen) == ("city", 1200)


@pytest.mark.parametrize("change, problem", [
    (lambda d: zone_in(d, "city").update(fee_fen=-5), "fee_fen must be 0 to 100000"),
    (lambda d: zone_in(d, "city").update(fee_fen="10元"), "must be a whole number"),
    (lambda d: zone_in(d, "city").update(districts=["市中区", "历下区"]), "already in zone local"),
    (lambda d: zone_in(d, "city").update(city="济南"), "ending in 市"),
    (lambda d: zone_in(d, "city").update(districts=[]), "no district"),
    (lambda d: zone_in(d, "city").update(price=1), "unknown field(s) price"),
])
def test_a_broken_courier_zone_is_refused_naming_the_file_and_the_zone(ref, change, problem):
    edit(ref, "courier.yaml", change)
    err = refused(ref)
    assert (err.file, err.entry) == ("courier.yaml", "city") and problem in err.problem


def test_a_duplicate_courier_zone_is_refused(ref):
    edit(ref, "courier.yaml", lambda d: d["courier_zones"].append(dict(zone_in(d, "suburb"), districts=["平阴县"])))
    err = refused(ref)
    assert err.file == "courier.yaml" and "duplicate courier zone 'suburb'" in err.problem
