"""Shared builders for the back-office unit tests: a routed case, staff and an authority with real seals."""
from __future__ import annotations

from datetime import datetime

from hall.catalogue import load_catalogue
from hall.domain.clock import SHANGHAI
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM, Actor
from hall.domain.joint import Authority, CaseReview
from hall.domain.seal import Seal, seed_from_secret
from services.approval import handlers

SECRET = "unit-test-seal-secret-0123456789"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
CAT = load_catalogue()


def seal_of(department: str) -> Seal:
    return Seal.from_seed(department, seed_from_secret(SECRET, department))


def authority() -> Authority:
    return handlers.authority(CAT, lambda dept, doc: seal_of(dept).sign(doc))


def routed(departments, *, licence_type=None, mode=None, case_no="LX00-20260302-00001") -> CaseReview:
    item = {"code": "XK-TEST", "name": "测试事项", "departments": list(departments),
            "promised_limit": 10, "legal_limit": 20 if len(departments) == 1 else 45,
            "licence_type": licence_type}
    data = {"item": item, "applicant": {"name": "张三", "id_number": "91370102MA3C0000X1"},
            "delivery": "pickup", "accepted_on": "2026-03-02", "departments": list(departments),
            "lead": departments[0], "queues": {d: "backoffice" for d in departments}}
    if mode:
        data["joint_mode"] = mode
    return CaseReview.from_routed(new_event("case_routed", case_no, "LX00", NOW, SYSTEM.to_dict(), data))


def reviewer(dept: str, n: int = 1) -> Actor:
    return Actor(f"R-{dept}-{n}", "reviewer", "LX00", dept)


def chief(dept: str) -> Actor:
    return Actor(CAT.departments[dept].chief.staff_id, "chief", "LX00", dept)
