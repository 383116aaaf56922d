"""What intake tells at acceptance: the promised and the legal deadline, each with its own
`estimated` flag and the working days left (issue 13, bugs a and b). Through what the
AcceptApplication answer is made of (`handlers.told`, `messages.accept_response`) and the domain
function under it.

The shipped calendar knows 2026 officially; 2027 is an operator draft (docs/clock.md)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from hall.catalogue import load_catalogue
from hall.domain import acceptance
from hall.domain.clock import SHANGHAI
from hall.domain.identity import Actor
from hall.domain.workdays import WorkCalendar
from hall.domain.ports import UnitOfWork
from services.intake import handlers, messages
from tests.unit.fakes import MemoryOutbox

CAT = load_catalogue()
CAL = WorkCalendar.load()
CLERK = Actor("LX-CLERK-01", "clerk", "LX00")
# accepted Tue 2026-12-01: 22 working days are left in 2026 (Dec 2-4, 7-11, 14-18, 21-25, 28-31)
DEC_1 = datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)


def item_where(ok):
    return next(i for i in CAT.items.values() if not i.is_joint and ok(i))


# an item whose promise ends in 2026 and whose legal limit runs into 2027 when accepted on Dec 1
SPLIT = item_where(lambda i: 0 < i.promised_limit <= 22 < i.legal_limit)


def accepted(item, now: datetime) -> dict:
    app = acceptance.Application("k-1", item.code, {"kind": "person", "name": "张三",
                                                    "id_number": "370102199001011234"}, ())
    record, _ = acceptance.accept(app, item, "v1", "LX00", "LX00-20261201-00000001", CLERK, now, CAL)
    record["_id"] = "LX00-20261201-00000001"
    return record


def answer(record):
    return messages.accept_response(handlers.told(UnitOfWork(None, MemoryOutbox(), None, CAL), record, False))


def test_accept_application_tells_the_working_days_left_of_both_deadlines():
    # bug (a): the answer said days_left 0 for every item
    item = item_where(lambda i: i.promised_limit > 0)
    r = answer(accepted(item, datetime.now(SHANGHAI)))
    assert r.promised.days_left == item.promised_limit > 0  # accepted today: none used yet
    assert r.legal.days_left == item.legal_limit > 0


def test_a_promise_inside_a_known_year_is_not_estimated_when_the_legal_limit_runs_into_the_next():
    # bug (b): one flag for both deadlines marked the 2026 promise as estimated
    r = answer(accepted(SPLIT, DEC_1))
    assert r.promised.due_date < "2027" and not r.promised.estimated
    assert r.legal.due_date > "2027" and r.legal.estimated


def test_the_acceptance_record_keeps_one_flag_per_deadline():
    record = accepted(SPLIT, DEC_1)
    assert (record["promised_estimated"], record["legal_estimated"]) == (False, True)


def test_the_deadlines_intake_answers_with_count_down_from_the_acceptance():
    record = accepted(SPLIT, DEC_1)
    dl = acceptance.deadlines(record, CAL, date(2026, 12, 8))  # Tue: d1-5 Dec 2-4, 7, 8 used
    assert dl.promised.days_left == SPLIT.promised_limit - 5
    assert dl.legal.days_left == SPLIT.legal_limit - 5
    assert dl.promised.due_date.isoformat() == record["promised_due"]
    assert dl.legal.due_date.isoformat() == record["legal_due"]
    assert dl.legal.to_dict()["limit_days"] == SPLIT.legal_limit


@pytest.mark.parametrize("code", [i.code for i in CAT.items.values() if i.is_joint][:1])
def test_a_joint_item_is_told_the_joint_legal_limit(code):
    item = CAT.item(code)
    r = answer(accepted(item, datetime.now(SHANGHAI)))
    assert r.legal.limit_days == 45 and r.legal.days_left == 45
