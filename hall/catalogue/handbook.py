"""The printable 《"一窗受理"事项受理材料标准化手册》, one HTML document per sector.

Generated from the catalogue, so the windows read the same checklist that intake checks.
Run `python -m hall.catalogue.handbook OUTDIR [--reference DIR]` to write every sector.
"""
from __future__ import annotations

import argparse
import sys
from html import escape
from pathlib import Path

from .catalogue import Catalogue
from .loader import load_catalogue
from .model import Item, Material

TITLE = "《“一窗受理”事项受理材料标准化手册》"
STYLE = """
body{font-family:"Noto Serif CJK SC","SimSun",serif;max-width:60em;margin:2em auto;line-height:1.5}
h1{text-align:center;font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #444}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #888;padding:.25em .5em;vertical-align:top}
th{background:#eee;text-align:left}.facts th{width:9em}.meta{text-align:center;color:#444}
section.item{page-break-inside:avoid;break-inside:avoid;margin-bottom:1.5em}
@media print{nav{page-break-after:always}body{margin:0;max-width:none}a{color:inherit;text-decoration:none}}
"""


def _days(n: int, zero: str) -> str:
    return zero if n == 0 else f"{n} 个工作日"


def _row(label: str, value: str) -> str:
    return f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"


def _material_row(n: int, m: Material, cat: Catalogue) -> str:
    need = "必须提交" if m.required else f"条件提交:{m.condition}"
    licence = ""
    if m.licence_type:
        t = cat.licence_types[m.licence_type]
        licence = f"{t.name}(可信等级 {t.trust_level})"
    cells = (str(n), m.name, m.form_label, str(m.count), need, licence or "—")
    return "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"


def _item_section(n: int, item: Item, cat: Catalogue) -> str:
    names = [cat.departments[d].name for d in item.departments]
    depts = names[0] + ("(牵头);协办:" + "、".join(names[1:]) if len(names) > 1 else "")
    fees = ";".join(f"{f.name} {f.amount} 元" + (f"({f.basis})" if f.basis else "")
                    for f in item.fees) or "不收费"
    licence = cat.licence_types[item.licence_type].name if item.licence_type else "无"
    facts = [
        ("事项编码", item.code), ("实施部门", depts), ("办件类型", item.case_type),
        ("法定时限", _days(item.legal_limit, "即时办结")),
        ("承诺时限", _days(item.promised_limit, "当场办结")),
        ("特别程序", "、".join(item.special_procedures) + "(不计入办理时限,书面告知所需时间)"
         if item.special_procedures else "无"),
        ("收费标准", fees), ("“四办”", "、".join(item.sibian) or "—"),
        ("街道可受理", "是" if item.street_allowed else "否"),
        ("邮寄送达", "可邮寄" if item.courier_allowed else "须窗口领取"),
        ("办理结果", licence), ("设定依据", item.basis or "—"),
    ]
    rows = "".join(_row(k, v) for k, v in facts)
    mats = "".join(_material_row(i, m, cat) for i, m in enumerate(item.materials, start=1))
    return (f'<section class="item" id="{escape(item.code)}"><h2>{n}. {escape(item.name)}</h2>'
            f'<table class="facts">{rows}</table>'
            "<table class=\"materials\"><tr><th>序号</th><th>材料名称</th><th>形式</th><th>份数</th>"
            f"<th>提交要求</th><th>可用电子证照替代</th></tr>{mats}</table></section>")


def render_sector(catalogue: Catalogue, sector: str) -> str:
    """The handbook of one sector (by name or code) as a standalone printable HTML page."""
    found = catalogue.sector(sector) or next(
        (s for s in catalogue.sectors.values() if s.code == sector), None)
    if found is None:
        raise ValueError(f"unknown sector {sector!r}")
    # 保密事项 are refused everywhere and kept out of a public handbook.
    items = [i for i in catalogue.items_in(found.name) if not i.classified]
    toc = "".join(f'<li><a href="#{escape(i.code)}">{escape(i.name)}</a></li>' for i in items)
    body = "".join(_item_section(n, i, catalogue) for n, i in enumerate(items, start=1))
    heading = f"{TITLE} {found.name}类"
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(heading)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(TITLE)}<br>{escape(found.name)}类</h1>"
            f'<p class="meta">历下区政务服务中心 · 共 {len(items)} 项 · 目录版本 '
            f"{escape(catalogue.version)}</p><nav><h2>目录</h2><ol>{toc}</ol></nav>{body}"
            "<p class=\"meta\">本手册由事项目录自动生成,窗口按此收件;保密事项不纳入一窗受理。</p>"
            "</body></html>\n")


def write_all(catalogue: Catalogue, outdir: Path) -> list[Path]:
    """Write handbook-<sector code>.html for every sector; return the paths written."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for s in catalogue.sectors.values():
        path = outdir / f"handbook-{s.code}.html"
        path.write_text(render_sector(catalogue, s.name), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hall.catalogue.handbook",
                                     description="Write the acceptance handbook, one HTML file per sector.")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--reference", type=Path, default=None, help="reference data directory")
    args = parser.parse_args(argv)
    for path in write_all(load_catalogue(args.reference), args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
