"""Routing's commands through the real handlers on the in-memory route repository: each case
goes to its departments' queues by the catalogue version in force, a case nobody is responsible
for is held, a held case is routed where the supervisor sends it — each once, its event handed
to the outbox at once."""
import shutil
from pathlib import Path

import pytest
import yaml

from hall.catalogue import DEFAULT_ROOT, load_catalogue
from hall.domain.errors import InvalidArgument
from hall.domain.events import new_event
from hall.domain.identity import Actor
from hall.domain.ports import UnitOfWork
from services.routing import handlers
from tests.unit.fakes import FixedCatalogue, MemoryOutbox
from tests.unit.test_routing_repository_contract import NOW, InMemoryRouteRepository

CLERK = {"staff_id": "LX00-C01", "role": "clerk", "site": "LX00"}
SUPERVISOR = Actor("LX00-S01", "supervisor", "LX00")


def add_professional_department(root: Path, code: str) -> None:
    """A new department of the professional windows (专业综合) in a copy of the reference files."""
    path = root / "departments.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["departments"].append({"code": code, "name": "区消防大队", "sector": "专业综合", "site": "LX00",
                               "chief": {"staff_id": f"LX-{code}-01", "name": "林国华"},
                               "contact": {"name": "宋佳", "phone": "0531-86921125"}})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture
def uow(catalogue):
    outbox = MemoryOutbox()
    return UnitOfWork(InMemoryRouteRepository(outbox), outbox, FixedCatalogue(catalogue), clock=lambda: NOW)


def accepted(departments, case_no="LX00-20261126-00000001"):
    return new_event("case_accepted", case_no, "LX00", NOW, CLERK,
                     {"item": {"code": "QR-TEST", "departments": departments}, "promised_due": "2026-12-03"})


def test_an_accepted_case_goes_to_each_department_s_queue_once(uow):
    event = accepted(["GAFJ", "SYJ"])
    assert handlers.route_case(uow, event)
    assert not handlers.route_case(uow, event)
    [routed] = uow.outbox.published
    assert routed["type"] == "case_routed" and routed["data"]["lead"] == "GAFJ"
    assert routed["data"]["queues"] == {"GAFJ": "professional", "SYJ": "backoffice"}
    assert routed["data"]["promised_due"] == "2026-12-03"


def test_the_queues_follow_the_catalogue_version_in_force(uow, tmp_path):
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root)
    add_professional_department(root, "XFDD")
    handlers.route_case(uow, accepted(["XFDD"], "LX00-20261126-00000001"))
    uow.catalogue = FixedCatalogue(load_catalogue(root))
    handlers.route_case(uow, accepted(["XFDD"], "LX00-20261126-00000002"))
    assert [e["data"]["queues"] for e in uow.outbox.published] == [{"XFDD": "backoffice"}, {"XFDD": "professional"}]


def test_a_case_nobody_is_responsible_for_is_held_then_routed_where_the_supervisor_sends_it(uow):
    event = accepted([])
    handlers.route_case(uow, event)
    assert uow.outbox.published[-1]["type"] == "case_held"
    dispatched = new_event("case_dispatched", event.case_no, "LX00", NOW, SUPERVISOR.to_dict(),
                           {"departments": ["YCFJ"]}, caused_by=event.id)
    assert handlers.route_dispatched_case(uow, dispatched)
    assert not handlers.route_dispatched_case(uow, dispatched)
    routed = uow.outbox.published[-1]
    assert (routed["type"], routed["data"]["queues"], routed["data"]["dispatched_by"]) == \
        ("case_routed", {"YCFJ": "professional"}, "LX00-S01")
    assert routed["data"]["held_reason"] and len(uow.outbox.published) == 2


def test_a_dispatch_of_a_case_routing_never_held_changes_nothing(uow):
    dispatched = new_event("case_dispatched", "LX00-20261126-00000009", "LX00", NOW, SUPERVISOR.to_dict(),
                           {"departments": ["SYJ"]})
    assert not handlers.route_dispatched_case(uow, dispatched) and uow.outbox.published == []


def test_a_dispatch_to_no_department_is_refused(uow):
    event = accepted([])
    handlers.route_case(uow, event)
    with pytest.raises(InvalidArgument):
        handlers.route_dispatched_case(uow, new_event("case_dispatched", event.case_no, "LX00", NOW,
                                                      SUPERVISOR.to_dict(), {"departments": []}))
