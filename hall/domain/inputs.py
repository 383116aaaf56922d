"""What any text or code that arrives in a request must be, whatever the call: the rules the
services' edge (hall.infra.edge) applies to every field before a handler sees it. Each check
answers None, or what is wrong in a sentence for the clerk (the value quoted, at most 80
characters)."""
from __future__ import annotations

import re

from .contact import is_phone
from .errors import quote
from .identity import ROLES

TEXT_MAX = 200      # characters of a string field without a limit of its own
BYTES_MAX = 65536   # bytes of a bytes field without a limit of its own
ITEMS_MAX = 100     # entries of a repeated field without a limit of its own

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile("[\t\n\r]")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def text_problem(value: str, limit: int = TEXT_MAX, multiline: bool = False) -> str | None:
    if len(value) > limit:
        return f"超过 {limit} 个字符 (at most {limit} characters; {len(value)} were sent)"
    if _CONTROL.search(value) or (not multiline and _LINE_BREAKS.search(value)):
        return f"含有控制字符 (contains control characters): {quote(value)}"
    if _BIDI.search(value):
        return f"含有文字方向控制符 (contains bidirectional-override characters): {quote(value)}"
    if value and not value.strip():
        return "不能只有空白 (must not be blank)"
    return None


CODES = ("department", "site", "item", "window", "sector", "phone", "role")


def code_problem(kind: str, value: str, catalogue) -> str | None:
    """`value` is a code of `kind` the catalogue in force defines (phones and roles need no
    catalogue). With no catalogue loaded yet, codes are left to the handler."""
    if kind == "phone":
        return None if is_phone(value) else f"不是有效的手机或固定电话号码 (not a mainland mobile or fixed-line number): {quote(value)}"
    if kind == "role":
        return None if value in ROLES else f"没有这个角色 (no such role): {quote(value)}; roles are {', '.join(ROLES)}"
    if catalogue is None:
        return None
    known = {
        "department": lambda: value in catalogue.departments,
        "site": lambda: value in catalogue.sites,
        "item": lambda: value in catalogue.items,
        "window": lambda: value in catalogue.windows,
        "sector": lambda: value in catalogue.sectors or any(s.code == value for s in catalogue.sectors.values()),
    }[kind]()
    if known:
        return None
    names = {"department": "部门", "site": "场所", "item": "事项", "window": "窗口", "sector": "板块"}
    return (f"目录中没有这个{names[kind]} (unknown {kind} code: not in the catalogue {catalogue.version[:12]}): "
            f"{quote(value)}")
