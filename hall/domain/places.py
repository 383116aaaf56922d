"""Where a decided case's result is handed over and what is handed over, answered from the
catalogue in force (its sites, issuance positions and licence types)."""
from __future__ import annotations

from .issuance import HALL, documents_for

HALL_NAME = "历下区政务服务中心"


def positions(cat, site: str) -> tuple[str, ...]:
    """The issuance positions (出件窗口) of a site, e.g. LX00-I01..I04."""
    return tuple(w.id for w in cat.windows_at(site) if w.kind == "issuance")


def pickup_site(cat, site: str) -> tuple[str, str]:
    """就近取件: a result is collected where the application was made, if that site has an
    issuance position; otherwise at the hall's unified issuance area. (code, place name)"""
    code = site if site != HALL and cat.site(site) and positions(cat, site) else HALL
    name = cat.site(code).name if cat.site(code) else HALL_NAME
    return code, name + ("统一出件区" if code == HALL else "出件窗口")


def licence_name(cat, item: dict | None) -> str:
    """The name of the e-licence a decision on this item grants ('' if none)."""
    code = (item or {}).get("licence_type")
    licence = cat.licence_types.get(code) if code else None
    return licence.name if licence else ""


def originals_of(materials: list[dict] | None) -> list[dict]:
    """The materials handed in as originals, which go back to the applicant with the result."""
    return [{"name": m["name"], "count": m.get("count", 1)} for m in materials or []
            if m.get("form") in ("original", "original_and_copy")]


def documents(cat, decided: dict) -> list[str]:
    """What goes to the applicant: the decision letter, the licence if granted, and the
    originals handed in at acceptance (they travel with the decision and go back now)."""
    return documents_for(decided, licence_name(cat, decided.get("item")), originals_of(decided.get("materials")))
