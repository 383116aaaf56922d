"""What delivery reads from the reference data: where a case's result is collected, the
issuance positions of a site, the licence a decision grants; loaded once per process."""
from __future__ import annotations

from functools import lru_cache

from hall.catalogue import load_catalogue
from hall.domain.issuance import HALL
from hall.domain.workdays import WorkCalendar
from hall.infra import settings


@lru_cache(maxsize=1)
def catalogue():
    return load_catalogue(settings.load().reference_dir)


@lru_cache(maxsize=1)
def calendar() -> WorkCalendar:
    return WorkCalendar.load(settings.load().calendar_dir)


def positions(site: str) -> tuple[str, ...]:
    """The issuance positions (出件窗口) of a site, e.g. LX00-I01..I04."""
    return tuple(w.id for w in catalogue().windows_at(site) if w.kind == "issuance")


def pickup_site(site: str) -> tuple[str, str]:
    """就近取件: a result is collected where the application was made, if that site has an
    issuance position; otherwise at the hall's unified issuance area. (code, place name)"""
    cat = catalogue()
    code = site if site != HALL and cat.site(site) and positions(site) else HALL
    name = cat.site(code).name if cat.site(code) else "历下区政务服务中心"
    return code, name + ("统一出件区" if code == HALL else "出件窗口")


def licence_name(item: dict | None) -> str:
    code = (item or {}).get("licence_type")
    licence = catalogue().licence_types.get(code) if code else None
    return licence.name if licence else ""


def originals_of(materials: list[dict]) -> list[dict]:
    """The materials handed in as originals, which go back to the applicant with the result."""
    return [{"name": m["name"], "count": m.get("count", 1)} for m in materials or []
            if m.get("form") in ("original", "original_and_copy")]
