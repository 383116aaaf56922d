"""The acceptance handbook shows each item's checklist as printable, properly escaped HTML."""
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from hall.catalogue import load_catalogue
from hall.catalogue.handbook import main, render_sector

RESTAURANT = "XK09001000-370102-SCJG"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def text_of(html: str) -> str:
    """The visible text of a page, entities decoded, as a reader would see it."""
    parts = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append
    parser.feed(html)
    return "".join(parts)


def test_the_sector_handbook_lists_every_material_of_an_item(cat):
    html = render_sector(cat, "商事登记")
    text = text_of(html)
    item = cat.item(RESTAURANT)
    assert item.name in text
    for m in item.materials:
        assert m.name in text
    assert "条件提交:经营中餐、烧烤等产生油烟的" in text
    assert "居民身份证(可信等级 A)" in text
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html


def test_the_handbook_states_limits_case_type_and_clock_stopping_procedures(cat):
    text = text_of(render_sector(cat, "经济发展"))
    assert "食品经营许可(新办)" in text and "20 个工作日" in text and "7 个工作日" in text
    assert "现场勘验(不计入办理时限" in text


def test_a_sector_can_be_named_by_its_code_and_only_holds_its_own_items(cat):
    text = text_of(render_sector(cat, "SSDJ"))
    assert "有限责任公司设立登记" in text and "食品经营许可(新办)" not in text
    with pytest.raises(ValueError):
        render_sector(cat, "不存在")


def test_classified_items_stay_out_of_the_handbook(cat):
    text = text_of(render_sector(cat, "社会服务"))
    assert "涉密档案查阅利用审批" not in text


def test_text_from_the_data_is_escaped(cat):
    item = cat.item(RESTAURANT)
    evil = replace(item, name='<script>alert("x")</script> & 餐饮',
                   materials=(replace(item.materials[0], name="<b>表</b>"),) + item.materials[1:])
    patched = replace(cat, items={**cat.items, RESTAURANT: evil})
    html = render_sector(patched, "商事登记")
    assert "<script>" not in html and "<b>表</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 餐饮" in html
    assert '<script>alert("x")</script> & 餐饮' in text_of(html)


def test_the_command_writes_one_file_per_sector(tmp_path, capsys):
    assert main([str(tmp_path)]) == 0
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted(f"handbook-{c}.html" for c in
                           ("JJFZ", "CSJS", "SHFW", "SSDJ", "ZYZH", "SBJY", "BDCDJ"))
    assert "有限责任公司设立登记" in (tmp_path / "handbook-SSDJ.html").read_text(encoding="utf-8")
