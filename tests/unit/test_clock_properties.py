"""Properties of the clock that must hold for any acceptance date, limit and pauses."""
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hall.domain.clock import Clock, Pause
from hall.domain.deadlines import Extension, case_deadlines
from hall.domain.workdays import WorkCalendar

CAL = WorkCalendar.load()  # 2024-2026 from the package, 2027 from the shipped draft, 2028 bare

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 6, 30))
limits = st.integers(min_value=1, max_value=70)


@st.composite
def pauses(draw, after: date):
    start = after + timedelta(days=draw(st.integers(0, 60)))
    length = draw(st.one_of(st.none(), st.integers(0, 40)))
    return Pause(start, None if length is None else start + timedelta(days=length))


@st.composite
def clocks(draw):
    accepted = draw(days)
    ps = draw(st.lists(pauses(accepted), max_size=3))
    return Clock(draw(limits), accepted, tuple(ps), draw(st.sampled_from([0, 10, 15])))


def today_for(clock: Clock) -> date:
    return clock.accepted_on + timedelta(days=90)


@settings(max_examples=300, deadline=None)
@given(clocks())
def test_the_deadline_of_a_positive_limit_is_always_a_working_day_after_acceptance(clock):
    dl = clock.deadline(CAL, today_for(clock))
    assert CAL.is_working_day(dl.due_date)
    assert dl.due_date > clock.accepted_on


@settings(max_examples=300, deadline=None)
@given(clocks(), st.data())
def test_adding_a_pause_never_makes_the_deadline_earlier(clock, data):
    today = today_for(clock)
    extra = data.draw(pauses(clock.accepted_on))
    before = clock.deadline(CAL, today).due_date
    assert clock.with_pause(extra).deadline(CAL, today).due_date >= before


@settings(max_examples=300, deadline=None)
@given(clocks(), st.integers(min_value=1, max_value=20))
def test_more_days_never_give_an_earlier_deadline(clock, more):
    today = today_for(clock)
    before = clock.deadline(CAL, today).due_date
    longer = replace(clock, limit_days=clock.limit_days + more)
    assert longer.deadline(CAL, today).due_date > before
    assert clock.extended(more).deadline(CAL, today).due_date > before


@settings(max_examples=300, deadline=None)
@given(days, st.integers(min_value=0, max_value=70))
def test_without_pauses_the_deadline_is_n_working_days_after_acceptance(accepted, n):
    due = Clock(n, accepted).deadline(CAL).due_date
    assert due == CAL.add_working_days(accepted, n)
    assert CAL.working_days_between(accepted, due) == n


@settings(max_examples=200, deadline=None)
@given(clocks())
def test_on_the_due_date_no_days_are_left(clock):
    today = today_for(clock)
    dl = clock.deadline(CAL, today)
    if not dl.paused:  # with an open pause "today" moves the deadline itself
        assert clock.days_left(CAL, dl.due_date) == 0


@settings(max_examples=200, deadline=None)
@given(clocks())
def test_a_deadline_touching_a_year_without_official_data_is_flagged(clock):
    dl = clock.deadline(CAL, today_for(clock))
    assert dl.estimated == (dl.due_date.year >= 2027 or clock.accepted_on.year >= 2027)


# --- the one deadline function (hall.domain.deadlines) --------------------------------------

@st.composite
def cases(draw):
    """An ordinary case: its item, acceptance day, pauses and granted extensions."""
    promised = draw(st.integers(min_value=0, max_value=40))
    item = {"promised_limit": promised, "legal_limit": promised + draw(st.integers(0, 30)),
            "case_type": "承诺件", "departments": ["FGW"]}
    accepted = draw(days)
    ps = [p for p in draw(st.lists(pauses(accepted), max_size=2)) if p.ended_on is not None]
    exts = [Extension("FGW", n) for n in draw(st.lists(st.sampled_from([5, 10]), max_size=2))]
    return item, accepted, ps, exts


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(min_value=0, max_value=3))
def test_a_review_budget_never_ends_after_the_promised_deadline(case, margin):
    item, accepted, ps, exts = case
    dl = case_deadlines(item, accepted, CAL, accepted, pauses={"FGW": ps}, extensions=exts,
                        review_margin=margin)
    assert dl.reviews["FGW"].due_date <= dl.promised.due_date <= dl.legal.due_date


@settings(max_examples=200, deadline=None)
@given(cases())
def test_each_deadline_is_estimated_only_when_its_own_count_touches_an_unknown_year(case):
    item, accepted, ps, exts = case
    dl = case_deadlines(item, accepted, CAL, accepted, pauses={"FGW": ps}, extensions=exts)
    for due in (dl.promised, dl.legal, dl.handover, dl.reviews["FGW"]):
        assert due.estimated == (due.due_date.year >= 2027 or accepted.year >= 2027)
