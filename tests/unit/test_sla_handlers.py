"""The SLA's commands on the in-memory store (tests/unit/test_sla_repository_contract.py)
through the real unit of work: notices go to the chief representative of the catalogue in
force, an issued case is closed and its verdict published, an unknown case looks missing."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from hall.domain.errors import NotFound
from hall.domain.identity import Actor
from hall.domain.ports import UnitOfWork
from hall.domain.workdays import WorkCalendar
from services.sla import config, handlers
from tests.unit.fakes import FixedCatalogue, MemoryOutbox
from tests.unit.test_sla_repository_contract import NOW, InMemorySlaRepository, accepted, event, new_case, routed

CFG = config.load()


def catalogue_with_fgw_chief(staff_id: str, name: str) -> FixedCatalogue:
    chief = SimpleNamespace(staff_id=staff_id, name=name)
    return FixedCatalogue(SimpleNamespace(departments={"FGW": SimpleNamespace(chief=chief)}))


@pytest.fixture
def uow():
    outbox = MemoryOutbox()
    return UnitOfWork(InMemorySlaRepository(outbox), outbox, catalogue_with_fgw_chief("LX-FGW-01", "王建国"),
                      WorkCalendar.load(), clock=lambda: NOW)


def follow(uow, *events):
    for e in events:
        handlers.follow_case(uow, e, lambda case_no: handlers.refresh_clocks(uow, [case_no], CFG.policy))


def overdue_case(uow) -> str:
    c = new_case()
    follow(uow, routed(c, "2026-02-02"), accepted(c, "2026-02-02"))
    return c


def decision_notice(uow, case_no) -> dict:
    return next(n for n in uow.repo.notices(case_no=case_no) if n["watch"] == "decision")


def test_the_scan_addresses_a_notice_to_the_chief_of_the_catalogue_in_force_at_the_scan(uow):
    first = overdue_case(uow)
    assert handlers.scan_clocks(uow, CFG)["raised"] >= 1
    assert decision_notice(uow, first)["to"]["staff_id"] == "LX-FGW-01"
    assert {e["type"] for e in uow.outbox.published} == {"supervision_raised"}

    uow.catalogue = catalogue_with_fgw_chief("LX-FGW-R01", "李文静")  # a reload
    second = overdue_case(uow)
    handlers.scan_clocks(uow, CFG)
    assert decision_notice(uow, second)["to"] == {"staff_id": "LX-FGW-R01", "name": "李文静", "role": "chief"}
    assert decision_notice(uow, first)["to"]["staff_id"] == "LX-FGW-01"
    assert handlers.scan_clocks(uow, CFG)["raised"] == 0  # a rescan raises nothing twice


def test_an_unacknowledged_notice_is_escalated_once_its_time_is_up(uow):
    c = overdue_case(uow)
    handlers.scan_clocks(uow, CFG)
    later = UnitOfWork(uow.repo, uow.outbox, uow.catalogue, uow.calendar,
                       clock=lambda: NOW + CFG.escalate_after + timedelta(seconds=1))
    assert handlers.escalate_notices(later) == len(uow.repo.notices(case_no=c))
    assert {n["status"] for n in uow.repo.notices(case_no=c)} == {"escalated"}
    assert handlers.escalate_notices(later) == 0


def test_an_issued_case_is_closed_with_its_verdict_published(uow):
    c = new_case()
    follow(uow, accepted(c, "2026-03-02"), routed(c, "2026-03-02"),
           event("case_decided", c, "2026-03-03T10:00:00+08:00", {"outcome": "approved"}))
    issued = event("result_issued", c, "2026-03-03T15:00:00+08:00", {"outcome": "approved"})
    follow(uow, issued)
    handlers.close_case(uow, issued)
    handlers.close_case(uow, issued)  # a redelivery closes nothing twice
    closed = [e for e in uow.outbox.published if e["type"] == "case_closed"]
    assert len(closed) == 1 and closed[0]["data"]["on_time_promised"] is True
    assert handlers.newly_decided({c: (None, uow.repo.clock_record(c))})[0]["decided_on"] == "2026-03-03"


def test_a_case_the_sla_has_not_seen_looks_missing(uow):
    supervisor = Actor("sup-1", "supervisor", "LX00", "")
    with pytest.raises(NotFound):
        handlers.case_view(uow, supervisor, "LX00-20260302-00000001")
    with pytest.raises(NotFound):
        handlers.case_clock_of(uow, supervisor, "", CFG.policy)
