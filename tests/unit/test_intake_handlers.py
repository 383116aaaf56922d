"""Intake's service layer on the in-memory store: each command through its handler, over a
UnitOfWork whose store is built with the outbox (issue 13)."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hall.catalogue import load_catalogue
from hall.domain.acceptance import Application
from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, NotFound
from hall.domain.events import new_event
from hall.domain.identity import Actor
from hall.domain.ports import UnitOfWork
from hall.tools.sample import person
from services.intake import config, handlers
from services.intake.api import Intake
from tests.unit.fakes import FixedCatalogue, MemoryOutbox
from tests.unit.test_intake_repository_contract import InMemoryIntakeRepository

CAT = load_catalogue()
CLERK = Actor("LX00-C01", "clerk", "LX00")
REVIEWER = Actor("LX-SCJG-R01", "reviewer", "LX00", "SCJG")
WINDOW = "LX00-W29"  # a front window of LX00 serving 经济发展, 城市建设, 社会服务, 社保就业


class Clock:
    def __init__(self):
        self.at = datetime.now(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)

    def __call__(self):
        return self.at


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def uow(clock):
    outbox = MemoryOutbox()
    return UnitOfWork(InMemoryIntakeRepository(outbox), outbox, FixedCatalogue(CAT), CAT.calendar, clock)


def single_item():
    today = datetime.now(SHANGHAI).date()
    return next(i for i in CAT.items.values() if not i.classified and len(i.departments) == 1
                and i.promised_limit > 0 and not CAT.missing_delegations(i.code, today)
                and CAT.windows_accepting("LX00", i.code))


# --- issue 13: the green-channel order CallNext uses is the domain's ------------------------

def test_call_next_serves_the_green_channel_before_an_earlier_ordinary_ticket(uow, clock):
    ordinary = handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k1", sector="经济发展")
    clock.at += timedelta(minutes=5)
    green = handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k2", sector="经济发展", priority="elderly")
    later = handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k3", sector="经济发展")
    called = [handlers.call_next(uow, CLERK, WINDOW).record["_id"] for _ in range(3)]
    assert called == [green.record["_id"], ordinary.record["_id"], later.record["_id"]]
    with pytest.raises(NotFound, match="nobody is waiting"):
        handlers.call_next(uow, CLERK, WINDOW)


def test_a_transferred_ticket_keeps_its_place_in_the_domains_order(uow, clock):
    first = handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k1", sector="城市建设")
    clock.at += timedelta(minutes=5)
    handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k2", sector="经济发展")
    assert handlers.call_next(uow, CLERK, WINDOW).record["_id"] == first.record["_id"]
    handlers.transfer_ticket(uow, CLERK, first.record["_id"], "经济发展", "")
    assert handlers.call_next(uow, CLERK, WINDOW).record["_id"] == first.record["_id"]


def test_the_ticket_machine_tells_how_many_wait_ahead_and_replays_a_retried_key(uow):
    handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k1", sector="经济发展")
    second = handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k2", sector="经济发展")
    again = handlers.take_ticket(uow, CLERK, config.DEFAULT_CAPS, "k2", sector="经济发展")
    assert (second.ahead, again.replayed, again.record["_id"]) == (1, True, second.record["_id"])


# --- issue 13: every write that causes an event hands it to the outbox at once ---------------

def test_an_accepted_case_hands_case_accepted_to_the_outbox_once(uow):
    item = single_item()
    app = Application("key-1", item.code, person(), ({"name": "申请书", "form": "original", "count": 1},))
    first = handlers.accept_application(uow, CLERK, app)
    again = handlers.accept_application(uow, CLERK, app)
    assert not first.replayed and again.replayed and again.record["_id"] == first.record["_id"]
    assert [e["type"] for e in uow.outbox.published] == ["case_accepted"]
    assert first.deadlines.promised.days_left == item.promised_limit
    assert handlers.get_case(uow, CLERK, first.record["_id"])["handover"]["department"] == item.lead


def supplement_requested(uow, case_no="LX00-20260310-00000001"):
    asked = new_event("supplement_requested", case_no, "LX00", uow.now(), REVIEWER.to_dict(),
                      {"department": "SCJG", "reason": "章程需补正",
                       "materials": [{"name": "公司章程", "problem": "缺少全体股东签字"}], "deadline_days": 5})
    assert handlers.note_supplement_request(uow, asked)
    assert not handlers.note_supplement_request(uow, asked)  # a redelivery changes nothing
    return case_no


def test_a_submitted_supplement_hands_supplement_submitted_to_the_outbox_at_once(uow):
    case_no = supplement_requested(uow)
    brought = [{"name": "公司章程", "form": "original", "count": 1}]
    rec, replayed = handlers.submit_supplement(uow, CLERK, case_no, "sup-1", brought)
    assert rec["status"] == "submitted" and not replayed
    assert [(e["type"], e["case_no"]) for e in uow.outbox.published] == [("supplement_submitted", case_no)]
    again, replayed = handlers.submit_supplement(uow, CLERK, case_no, "sup-1", brought)
    assert replayed and again["submitted_at"] == rec["submitted_at"] and len(uow.outbox.published) == 1
    with pytest.raises(AlreadyDone):
        handlers.submit_supplement(uow, CLERK, case_no, "sup-2", brought)
    assert handlers.list_supplements(uow, CLERK) == []


def test_a_supplement_nobody_asked_for_is_not_found(uow):
    with pytest.raises(NotFound, match="no supplement was requested"):
        handlers.submit_supplement(uow, CLERK, "LX00-20260310-00000009", "sup-1",
                                   [{"name": "公司章程", "form": "original", "count": 1}])


# --- issue 13: intake-api takes the working-day calendar from the catalogue -------------------

def test_intake_api_works_on_the_calendar_of_the_catalogue_in_force():
    class Reloading(FixedCatalogue):
        pass
    catalogue = Reloading(CAT)
    intake = Intake(InMemoryIntakeRepository(MemoryOutbox()), MemoryOutbox(), catalogue)
    assert intake.uow().calendar is CAT.calendar
    newer = load_catalogue()
    catalogue._catalogue = newer  # a reload: the next call works on the new version's calendar
    assert intake.uow().calendar is newer.calendar and newer.calendar is not CAT.calendar
    sources = "\n".join(p.read_text() for p in (Path(handlers.__file__).parent).glob("*.py"))
    assert "WorkCalendar.load" not in sources and "load_catalogue" not in sources


def test_queue_caps_default_in_code_and_come_from_the_file_hall_queue_caps_names(tmp_path):
    assert config.load({}).caps.cap("street", "经济发展") == 60
    assert config.load({}).caps.cap("hall", "商事登记") == 500
    path = tmp_path / "caps.yaml"
    path.write_text("by_site_kind: {hall: 10}\nby_sector: {}\n")
    assert config.load({"HALL_QUEUE_CAPS": str(path)}).caps.cap("hall", "商事登记") == 10


def test_another_department_signing_a_hand_over_finds_no_such_case(uow):
    item = single_item()
    app = Application("key-1", item.code, person(), ({"name": "申请书", "form": "original", "count": 1},))
    case_no = handlers.accept_application(uow, CLERK, app).record["_id"]
    stranger = next(d for d in CAT.departments if d not in item.departments)
    with pytest.raises(NotFound, match="no case numbered"):
        handlers.sign_handover(uow, Actor("r9", "reviewer", "LX00", stranger), case_no)
    signed = handlers.sign_handover(uow, Actor("r1", "reviewer", "LX00", item.lead), case_no)
    assert signed["signed_by"]["staff_id"] == "r1"
