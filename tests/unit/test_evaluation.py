"""好差评: five levels, linked to ticket, window, staff and case; a bad rating opens a follow-up."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from hall.domain import evaluation
from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, InvalidArgument, NotFound, PermissionDenied
from hall.domain.identity import Actor

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)
CLERK = Actor("clerk-07", "clerk", "LX00")
RECORD = {"site": "LX00", "lead": "SCJG", "item_code": "XK-1", "window": "A07", "staff": "clerk-03",
          "ticket": "B012"}


def rate(level=5, comment="", case_no="LX00-20261125-00000001", ticket="B012", window="A07", staff="",
         channel="", actor=CLERK, record=RECORD):
    return evaluation.rate(actor, level, comment, case_no, ticket, window, staff, channel, record, NOW)


def test_a_rating_links_the_case_ticket_window_and_the_staff_at_the_window():
    r = rate(4, "办事很快")
    assert (r["case_no"], r["ticket"], r["window"], r["staff"]) == ("LX00-20261125-00000001", "B012", "A07", "clerk-07")
    assert r["label"] == "满意" and r["department"] == "SCJG" and not r["bad"]
    assert r["recorded_by"]["staff_id"] == "clerk-07" and r["rated_at"] == NOW


def test_the_five_levels_follow_gb_t_39734():
    assert [evaluation.LEVELS[i] for i in range(1, 6)] == ["非常不满意", "不满意", "基本满意", "满意", "非常满意"]
    for bad in (0, 6, -1):
        with pytest.raises(InvalidArgument):
            rate(bad)


def test_a_bad_rating_opens_a_follow_up_with_a_fix_deadline_and_a_good_one_does_not():
    bad = rate(2, "等候时间太长")
    follow = evaluation.follow_up(bad, date(2026, 12, 16), NOW)
    assert follow["status"] == "open" and follow["fix_due"] == "2026-12-16" and follow["department"] == "SCJG"
    assert evaluation.follow_up(rate(3), date(2026, 12, 16), NOW) is None


def test_a_follow_up_is_resolved_once_by_the_chief_of_its_department_or_the_office():
    follow = evaluation.follow_up(rate(1, "态度差"), date(2026, 12, 16), NOW)
    with pytest.raises(PermissionDenied):
        evaluation.resolve(follow, Actor("c", "chief", "LX00", "FGW"), "已整改", NOW)
    with pytest.raises(PermissionDenied):
        evaluation.resolve(follow, CLERK, "已整改", NOW)
    with pytest.raises(InvalidArgument):
        evaluation.resolve(follow, Actor("LX-SCJG-01", "chief", "LX00", "SCJG"), "", NOW)
    done = evaluation.resolve(follow, Actor("LX-SCJG-01", "chief", "LX00", "SCJG"), "已回访并整改", NOW)
    assert done["status"] == "resolved" and not done["resolved"]["late"]
    with pytest.raises(AlreadyDone):
        evaluation.resolve({**follow, **done}, Actor("s", "supervisor", "LX00"), "again", NOW)


@pytest.mark.parametrize("kwargs, words", [
    ({"case_no": "", "ticket": ""}, "names the case"),
    ({"comment": "长" * 501}, "500"),
    ({"window": "W" * 41}, "window"),
    ({"channel": "fax"}, "channel"),
])
def test_bad_ratings_input_is_refused_clearly(kwargs, words):
    with pytest.raises(InvalidArgument) as err:
        rate(**kwargs)
    assert words in str(err.value)


def test_a_rating_of_an_unknown_case_or_by_a_back_office_role_is_refused():
    with pytest.raises(NotFound):
        rate(record=None)
    with pytest.raises(PermissionDenied):
        rate(actor=Actor("r", "reviewer", "LX00", "FGW"))


def test_a_visit_without_a_case_is_rated_by_its_ticket_and_each_is_rated_once():
    r = rate(case_no="", record=None)
    assert r["_id"] == "-/B012" and r["site"] == "LX00"
    assert evaluation.rating_id("LX00-1", "") != evaluation.rating_id("LX00-1", "B012")
