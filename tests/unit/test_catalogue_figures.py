"""The shipped reference data matches the Lixia plan of 2018-05-15 and answers the pipeline's questions."""
from collections import Counter
from datetime import date

import pytest

from hall.catalogue import load_catalogue
from hall.catalogue.model import CASE_TYPES

COMPREHENSIVE = {
    "经济发展": {"区发改委", "区财政局", "区经信局", "区食药局", "区商务局", "区安监局", "区卫计局"},
    "城市建设": {"区住建局", "区城管局", "区园林局", "区环保局"},
    "社会服务": {"区文化局", "区档案局", "区司法局", "区编办", "区民宗局", "区外侨办", "区体育局",
                "区教育局", "区民政局", "区老龄办"},
    "商事登记": {"区市场监管局"},
}
STREETS = ["解放路", "千佛山", "趵突泉", "泉城路", "大明湖", "东关", "文东", "建新", "甸柳", "燕山",
           "姚家", "龙洞", "智远", "舜华路"]
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_hall_and_sub_centres_have_the_plan_codes(cat):
    assert cat.site("LX00").name == "历下区政务服务中心" and cat.site("LX00").kind == "hall"
    assert "社保就业分中心" in cat.site("LXSB").name and cat.site("LXSB").kind == "subcentre"
    assert "不动产登记分中心" in cat.site("LXBD").name and cat.site("LXBD").kind == "subcentre"
    assert cat.site("NOPE") is None


def test_each_of_the_14_streets_has_a_service_centre_coded_LX01_to_LX14(cat):
    for n, street in enumerate(STREETS, start=1):
        site = cat.site(f"LX{n:02d}")
        assert site.kind == "street"
        assert site.name == f"历下区{street}街道办事处为民服务中心"
        assert site.address
    assert sum(s.kind == "street" for s in cat.sites.values()) == 14


def test_22_departments_enter_the_four_sectors_exactly_as_the_plan_lists(cat):
    found = {}
    for d in cat.departments.values():
        if d.sector in COMPREHENSIVE:
            found.setdefault(d.sector, set()).add(d.name)
    assert found == COMPREHENSIVE
    assert sum(len(v) for v in found.values()) == 22
    assert {d.code for d in cat.departments.values() if d.delegated} == {
        d.code for d in cat.departments.values() if d.sector in COMPREHENSIVE}


def test_police_and_tobacco_have_professional_windows_and_hr_and_land_have_sub_centres(cat):
    by_name = {d.name: d for d in cat.departments.values()}
    assert by_name["区公安分局"].sector == by_name["区烟草分局"].sector == "专业综合"
    assert by_name["区人社局"].site == "LXSB" and by_name["区国土资源分局"].site == "LXBD"
    assert not any(by_name[n].delegated for n in ("区公安分局", "区烟草分局", "区人社局", "区国土资源分局"))
    assert cat.department("SCJG").name == "区市场监管局" and cat.department("XX") is None


def test_every_department_has_a_chief_representative_and_a_contact_phone(cat):
    for d in cat.departments.values():
        assert d.chief.name and d.chief.staff_id, d.code
        assert d.contact.name and d.contact.phone, d.code
        assert d.code.isascii() and d.code.isupper()


def test_the_hall_has_40_front_windows_split_3_2_3_18_2_12(cat):
    front = [w for w in cat.windows_at("LX00") if w.kind == "front"]
    assert len(front) == 40
    assert Counter(w.category for w in front) == {
        "经济发展": 3, "城市建设": 2, "社会服务": 3, "商事登记": 18, "专业综合": 2, "公共服务综合": 12}


def test_the_hall_has_4_issuance_and_4_consultation_positions(cat):
    kinds = Counter(w.kind for w in cat.windows_at("LX00"))
    assert kinds["issuance"] == 4 and kinds["consultation"] == 4


def test_sub_centres_and_street_centres_have_their_own_windows(cat):
    for code in ["LXSB", "LXBD"] + [f"LX{n:02d}" for n in range(1, 15)]:
        assert any(w.kind == "front" for w in cat.windows_at(code)), code


def test_at_least_80_items_cover_every_department(cat):
    assert len(cat.items) >= 80
    covered = {d for i in cat.items.values() for d in i.departments}
    assert covered == set(cat.departments)


def test_every_item_is_consistent(cat):
    for i in cat.items.values():
        assert i.case_type in CASE_TYPES
        assert 0 <= i.promised_limit <= i.legal_limit
        assert i.materials and i.departments
        assert i.sector == cat.department(i.lead).sector
        assert i.licence_type is None or i.licence_type in cat.licence_types
        assert i.code.startswith(i.item_type) and i.code.endswith("-370102-" + i.lead)


def test_catalogue_has_all_four_case_types_joint_chains_and_classified_items(cat):
    assert {i.case_type for i in cat.items.values()} == set(CASE_TYPES)
    restaurant = next(i for i in cat.items.values() if "餐饮店" in i.name)
    assert restaurant.is_joint and {"SCJG", "SYJ", "CGJ", "HBJ"} <= set(restaurant.departments)
    assert any(i.classified for i in cat.items.values())
    assert any(i.street_allowed for i in cat.items.values())


def test_every_front_window_accepts_some_item_and_every_open_item_has_a_window(cat):
    for w in cat.windows.values():
        if w.kind == "front":
            assert any(w.accepts(i) for i in cat.items.values()), w.id
    for i in cat.items.values():
        if not i.classified:
            assert any(w.accepts(i) for w in cat.windows.values()), i.code


def test_delegated_items_have_a_valid_letter_today_and_none_before_the_reform(cat):
    for i in cat.items.values():
        if cat.department(i.lead).delegated:
            letter = cat.delegation_for(i.code, TODAY)
            assert letter is not None and letter.department == i.lead, i.code
            assert cat.delegation_for(i.code, date(2018, 1, 1)) is None
        assert cat.missing_delegations(i.code, TODAY) == ()


def test_a_letter_limited_to_some_items_does_not_cover_the_others(cat):
    assert cat.delegation_for("XK00203000-370102-CZJ", date(2019, 6, 3)) is None
    assert cat.delegation_for("XK00201000-370102-CZJ", date(2019, 6, 3)).id == "WT-2018-CZJ"
    assert cat.missing_delegations("XK00203000-370102-CZJ", date(2019, 6, 3)) == ("CZJ",)
    assert cat.delegation_for("NO-SUCH-ITEM", TODAY) is None


def test_own_window_departments_need_no_letter(cat):
    assert cat.delegation_for("QR02301000-370102-GAFJ", TODAY) is None
    assert cat.missing_delegations("QR02301000-370102-GAFJ", TODAY) == ()


def test_snapshot_is_plain_json_with_the_fields_a_case_carries(cat):
    import json
    snap = cat.item("XK09001000-370102-SCJG").snapshot()
    assert json.loads(json.dumps(snap, ensure_ascii=False)) == snap
    assert set(snap) == {"code", "name", "departments", "sector", "case_type", "legal_limit",
                         "promised_limit", "courier_allowed", "licence_type"}
    assert snap["departments"][0] == "SCJG"


def test_materials_name_only_known_licence_types_with_trust_levels(cat):
    for t in cat.licence_types.values():
        assert t.trust_level in "ABCD"
    used = {m.licence_type for i in cat.items.values() for m in i.materials if m.licence_type}
    assert used <= set(cat.licence_types)
    conditional = [m for i in cat.items.values() for m in i.materials if not m.required]
    assert conditional and all(m.condition for m in conditional)


def test_the_catalogue_package_imports_only_pyyaml_the_standard_library_and_the_domain():
    import ast
    import sys
    from pathlib import Path

    import hall.catalogue
    allowed = set(sys.stdlib_module_names) | {"yaml", "__future__", "hall"}  # hall.domain: plain Python
    for path in Path(hall.catalogue.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [node.module.split(".")[0]]
            else:
                continue
            assert set(roots) <= allowed, f"{path.name} imports {roots}"
            if roots == ["hall"]:
                assert node.module.startswith("hall.domain"), f"{path.name} imports {node.module}"


def test_windows_accepting_applies_sector_street_and_classified_rules(cat):
    food = "XK00401001-370102-SYJ"
    assert {w.category for w in cat.windows_accepting("LX00", food)} == {"经济发展", "公共服务综合"}
    assert cat.windows_accepting("LX03", food) == []  # not street_allowed
    assert cat.windows_accepting("LX03", "QR02202001-370102-SCJG")  # 个体工商户设立, street_allowed
    assert [w.id for w in cat.windows_accepting("LX00", "QR02301000-370102-GAFJ")] == ["LX00-W27"]
    assert cat.windows_accepting("LX00", "QT01302000-370102-DAJ") == []  # classified
    assert cat.windows_accepting("LXBD", "QR02602000-370102-GTFJ")
