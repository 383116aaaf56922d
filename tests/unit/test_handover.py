"""材料交接签收: what goes to the department, the time limit, who signs, and lateness."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hall.domain import handover
from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, PermissionDenied
from hall.domain.identity import Actor
from hall.domain.workdays import WorkCalendar

CAL = WorkCalendar.load()
CLERK = Actor("clerk-1", "clerk", "LX00")
FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=SHANGHAI)
PAPER = [{"name": "公司章程", "form": "original", "count": 1}, {"name": "身份证明", "form": "copy", "count": 2}]


def test_the_paper_is_due_signed_by_the_end_of_the_next_working_day():
    h = handover.make("SCJG", "LX00", CLERK, FRIDAY, PAPER, CAL)
    assert h["due_at"] == "2026-03-09T23:59:59+08:00" and h["pieces"] == 3 and not h["signed_at"]
    assert handover.make("SCJG", "LX00", CLERK, FRIDAY, [], CAL) is None


def test_unsigned_paper_past_its_limit_is_overdue_and_signed_paper_never_is():
    h = handover.make("SCJG", "LX00", CLERK, FRIDAY, PAPER, CAL)
    due = datetime.fromisoformat(h["due_at"])
    assert not handover.overdue(h, due) and handover.overdue(h, due + timedelta(seconds=1))
    assert not handover.overdue({**h, "signed_at": "2026-03-10T08:00:00+08:00"}, due + timedelta(days=3))


def test_only_the_receiving_department_signs_and_only_once():
    h = handover.make("SCJG", "LX00", CLERK, FRIDAY, PAPER, CAL)
    handover.check_sign(h, "C1", Actor("r1", "reviewer", "LX00", "SCJG"))
    with pytest.raises(PermissionDenied, match="goes to SCJG"):
        handover.check_sign(h, "C1", Actor("r2", "reviewer", "LX00", "SYJ"))
    with pytest.raises(PermissionDenied):
        handover.check_sign(h, "C1", CLERK)
    with pytest.raises(PermissionDenied, match="no paper"):
        handover.check_sign(None, "C1", Actor("r1", "reviewer", "LX00", "SCJG"))
    signed = {**h, "signed_at": "2026-03-09T10:00:00+08:00", "signed_by": {"staff_id": "r1"}}
    with pytest.raises(AlreadyDone, match="signed by r1"):
        handover.check_sign(signed, "C1", Actor("r1", "reviewer", "LX00", "SCJG"))


def test_a_department_outside_the_case_is_answered_as_if_the_case_did_not_exist():
    from hall.domain.errors import NotFound
    from hall.domain.identity import no_such_case
    h = {"department": "SCJG", "signed_at": "", "signed_by": None}
    for handover_of in (h, None):
        with pytest.raises(NotFound) as hidden:
            handover.check_sign(handover_of, "C1", Actor("r2", "reviewer", "LX00", "SYJ"), departments=("SCJG",))
        assert str(hidden.value) == no_such_case("C1")
