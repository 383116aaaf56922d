"""网上预审 and Art. 32's five working days (Art. 82: the law's periods are working days)."""
from __future__ import annotations

from datetime import date

import pytest

from hall.catalogue import load_catalogue
from hall.domain import prereview
from hall.domain.errors import Refused, StepOutOfOrder
from hall.domain.workdays import WorkCalendar

CAL = WorkCalendar.load()


def pre(received: str, status="waiting"):
    return {"_id": "YS-1", "received_on": received, "status": status}


def test_five_working_days_skip_the_weekend_and_national_day():
    assert prereview.notice_due(date(2026, 3, 6), CAL) == date(2026, 3, 13)      # Fri → next Fri
    assert prereview.notice_due(date(2026, 9, 30), CAL) == date(2026, 10, 13)    # 10-08, 10-09, 10-10 (swapped), 10-12, 10-13


def test_a_return_is_possible_through_the_last_day_and_not_after():
    prereview.check_return(pre("2026-03-06"), date(2026, 3, 13), CAL)
    with pytest.raises(Refused, match="counts as accepted from 2026-03-06"):
        prereview.check_return(pre("2026-03-06"), date(2026, 3, 16), CAL)


def test_passing_after_the_five_days_dates_the_acceptance_from_receipt():
    assert prereview.accepted_on(pre("2026-03-06"), date(2026, 3, 12), CAL) == (date(2026, 3, 12), "")
    assert prereview.accepted_on(pre("2026-03-06"), date(2026, 3, 16), CAL) == (date(2026, 3, 6), "2026-03-06")


def test_the_standing_counts_days_left_and_goes_negative_when_late():
    s = prereview.status(pre("2026-03-06"), date(2026, 3, 9), CAL)
    assert s == {"notice_due": "2026-03-13", "days_left": 4, "deemed_accepted": False}
    late = prereview.status(pre("2026-03-06"), date(2026, 3, 17), CAL)
    assert late["days_left"] == -2 and late["deemed_accepted"]


def test_a_closed_prereview_cannot_be_passed_or_returned_again():
    with pytest.raises(StepOutOfOrder, match="already returned"):
        prereview.check_return(pre("2026-03-06", "returned"), date(2026, 3, 9), CAL)


def test_online_items_need_no_visit_and_others_one():
    cat = load_catalogue()
    online = next(i for i in cat.items.values() if i.online)
    offline = next(i for i in cat.items.values() if not i.online)
    assert prereview.visit(online) == "none" and prereview.visit(offline).startswith("one visit")
