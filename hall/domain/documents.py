"""The written results of acceptance (Art. 32: a dated, sealed receipt): 受理通知书,
不予受理决定书 and 一次性告知书. Each carries a number and a verification code, is kept with
the case or the submission it answers, and prints as escaped HTML.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from html import escape

KINDS = {  # kind -> (title, number prefix)
    "acceptance_notice": ("受理通知书", "SL"),
    "refusal_decision": ("不予受理决定书", "BYSL"),
    "supplement_notice": ("一次性告知书", "BZ"),
}
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"   # no 0/O, 1/I/L: read aloud and typed by hand
REMEDY = ("申请人如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
          "或者在六个月内依法提起行政诉讼。")


def verification_code() -> str:
    """12 random characters in three groups, e.g. 7KQM-2XPA-9RTD."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def number(kind: str, site: str, day, seq: int) -> str:
    return f"{site}-{KINDS[kind][1]}-{day:%Y%m%d}-{seq:05d}"


def make(kind: str, doc_no: str, site: str, issued_at: datetime, actor: dict, item: dict,
         applicant: dict, body: dict, case_no: str = "") -> dict:
    """A document record; `body` holds what the kind states (deadlines, reason, problems)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    return {"number": doc_no, "kind": kind, "title": KINDS[kind][0], "code": verification_code(),
            "case_no": case_no, "site": site, "issued_at": issued_at.isoformat(),
            "issued_by": dict(actor), "item": {"code": item["code"], "name": item["name"]},
            "applicant": {"name": applicant.get("name", ""), "id_number": applicant.get("id_number", "")},
            "body": body}


def _lines(doc: dict) -> list[str]:
    b, item = doc["body"], doc["item"]["name"]
    if doc["kind"] == "acceptance_notice":
        out = [f"你（单位）申请的“{item}”事项，申请材料齐全、符合法定形式，本中心决定予以受理。",
               f"受理编号：{doc['case_no']}。承诺办结时限：{b['promised_limit']}个工作日，"
               f"预计于{b['promised_due']}前办结（法定时限至{b['legal_due']}）。"]
        if b.get("deemed_from"):
            out.append(f"依《行政许可法》第三十二条，本申请自{b['deemed_from']}收到材料之日起即为受理。")
        return out
    if doc["kind"] == "refusal_decision":
        return [f"你（单位）申请的“{item}”事项，经审查，决定不予受理。",
                f"理由：{b['reason']}", f"依据：{b['legal_basis']}", REMEDY]
    out = [f"你（单位）申请的“{item}”事项，申请材料不齐全或者不符合法定形式，"
           "现一次性告知需要补正的全部内容如下："]
    out += [f"{i}. {p['name']}：{p['problem']}" for i, p in enumerate(b["problems"], 1)]
    out.append("请补正全部材料后重新提交，补正后材料齐全的即予受理。")
    return out


def render_html(doc: dict, site_name: str) -> str:
    """A printable page; every value from a request is escaped."""
    body = "\n".join(f"<p>{escape(line)}</p>" for line in _lines(doc))
    a = doc["applicant"]
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(doc['title'])} {escape(doc['number'])}</title>"
        "<style>body{font-family:serif;max-width:40em;margin:2em auto}"
        ".no,.seal{text-align:right}@media print{.verify{font-size:small}}</style></head><body>\n"
        f"<h1>{escape(doc['title'])}</h1>\n<p class=\"no\">{escape(doc['number'])}</p>\n"
        f"<p>申请人：{escape(a['name'])}（{escape(a['id_number'])}）</p>\n{body}\n"
        f"<p class=\"seal\">{escape(site_name)}（受理专用章）<br>{escape(doc['issued_at'][:10])}</p>\n"
        f"<p class=\"verify\">验证码：{escape(doc['code'])}　经办人：{escape(doc['issued_by'].get('staff_id', ''))}</p>\n"
        "</body></html>\n")
