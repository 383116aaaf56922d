"""One contract for the SLA's store (hall.domain.sla_store.SlaStore), run against the in-memory
fake here and against the real MongoDB-protocol server in tests/integration/test_sla_repository.py,
so the fake the handler tests use cannot drift from the real thing."""
from __future__ import annotations

import copy
import uuid
from datetime import date, datetime, timedelta

import pytest

from hall.domain import case_clock, case_record
from hall.domain.case_clock import Policy
from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, NotFound
from hall.domain.events import Event
from hall.domain.sla_store import SlaStore, same
from hall.domain.timeline import STEP
from hall.domain.workdays import WorkCalendar
from tests.unit.fakes import MemoryOutbox

CHECKED = ("watches", "state", "raised", "next_check", "late_promised", "late_legal", "on_time_promised",
           "on_time_legal")
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


class InMemorySlaRepository(SlaStore):
    """The fake: the same port kept in dicts; documents are copied in and out like a database."""

    def __init__(self, outbox):
        self.outbox = outbox
        self.timeline: dict[str, dict] = {}
        self.clocks: dict[str, dict] = {}
        self.notices_: dict[str, dict] = {}
        self.ratings: dict[str, dict] = {}

    def record(self, event, service, own=False):
        if event.id in self.timeline:
            return False
        self.timeline[event.id] = {**event.to_dict(), "service": service}
        if own:
            self.outbox.handed([event.to_dict()])
        return True

    def events(self, case_no):
        return [copy.deepcopy(e) for e in self.timeline.values() if e["case_no"] == case_no]

    def count_by_status(self):
        reached = {t: sum(e["type"] == t for e in self.timeline.values()) for t in STEP}
        order = ["case_accepted", "case_routed", "case_decided", "result_ready", "result_issued"]
        counts = {STEP[t][1]: reached[t] - reached[n] for t, n in zip(order, order[1:])}
        counts["accepted"] -= reached["case_held"]
        counts.update(held=reached["case_held"], closed=reached["case_closed"])
        return counts

    def refresh(self, case_no, events_of, calendar, policy, today):
        f = case_clock.facts(events_of(case_no))
        if f is None:
            return None, None
        old = copy.deepcopy(self.clocks.get(case_no))
        rec = case_record.build(f, calendar, today, policy, old and old["raised"])
        if old is not None and same(old, rec):
            return old, old
        rec["rev"] = (old["rev"] + 1) if old else 1
        self.clocks[case_no] = {"_id": case_no, **copy.deepcopy(rec)}
        return old, rec

    def refresh_many(self, case_nos, calendar, policy, today):
        return {c: self.refresh(c, self.events, calendar, policy, today) for c in dict.fromkeys(case_nos)}

    def clock_record(self, case_no):
        return copy.deepcopy(self.clocks.get(case_no))

    def due_for_check(self, today, limit):
        return [copy.deepcopy(r) for r in self.clocks.values()
                if r.get("next_check") and r["next_check"] <= today.isoformat()][:limit]

    def save_checked(self, pairs):
        saved = 0
        for old, rec in pairs:
            stored = self.clocks.get(old["_id"])
            if stored and stored["rev"] == old["rev"]:
                stored.update({k: copy.deepcopy(rec[k]) for k in CHECKED}, rev=old["rev"] + 1)
                saved += 1
        return saved

    def open_records(self):
        return [{k: r[k] for k in ("_id", "departments", "site", "state", "paused")}
                for r in self.clocks.values() if r["open"]]

    def at_risk(self, department, states, limit):
        found = [copy.deepcopy(r) for r in self.clocks.values() if r["open"] and r["state"] in states
                 and (not department or department in r["departments"])]
        return sorted(found, key=lambda r: r["due"])[:limit]

    def records_between(self, start, end):
        return [copy.deepcopy(r) for r in self.clocks.values()
                if start.isoformat() <= r["accepted_on"] <= end.isoformat()]

    def add_notices(self, raised):
        new = []
        for notice, event in raised:
            if notice["_id"] not in self.notices_:
                self.notices_[notice["_id"]] = copy.deepcopy(notice)
                new.append(event)
        self.outbox.handed(new)
        return len(new)

    def notices_to_escalate(self, now, limit):
        return [copy.deepcopy(n) for n in self.notices_.values()
                if n["escalate_at"] is not None and n["escalate_at"] <= now][:limit]

    def change_notice(self, notice, changes, event=None):
        stored = self.notices_.get(notice["_id"])
        if stored is None or stored["status"] != notice["status"]:
            raise AlreadyDone(f"notice {notice['_id']} was changed at the same moment; read it again")
        stored.update(copy.deepcopy(changes))
        if event:
            self.outbox.handed([event])

    def notice(self, notice_id):
        if notice_id not in self.notices_:
            raise NotFound(f"no supervision notice {notice_id!r}")
        return copy.deepcopy(self.notices_[notice_id])

    def notices(self, department="", status="", case_no="", limit=100):
        found = [copy.deepcopy(n) for n in self.notices_.values()
                 if all(not v or n[k] == v for k, v in (("department", department), ("status", status),
                                                       ("case_no", case_no)))]
        return sorted(found, key=lambda n: n["raised_at"], reverse=True)[:limit]

    def add_rating(self, rating):
        if rating["_id"] in self.ratings:
            raise AlreadyDone("this visit or case has already been rated; a rating is given once")
        self.ratings[rating["_id"]] = copy.deepcopy(rating)

    def ratings_between(self, start, end):
        return [{k: v for k, v in copy.deepcopy(r).items() if k != "comment"} for r in self.ratings.values()
                if start.isoformat() <= r["rated_on"] <= end.isoformat()]

    def follow_ups(self, department, status, limit):
        return [copy.deepcopy(r["follow_up"]) for r in self.ratings.values() if r.get("follow_up")
                and r["follow_up"]["status"] in ((status,) if status else ("open", "resolved"))
                and (not department or r["follow_up"]["department"] == department)][:limit]

    def follow_up(self, follow_up_id):
        r = self.ratings.get(follow_up_id)
        if r is None or not r.get("follow_up"):
            raise NotFound(f"no follow-up {follow_up_id!r}")
        return copy.deepcopy(r["follow_up"])

    def resolve_follow_up(self, follow, changes):
        stored = self.ratings[follow["_id"]]["follow_up"]
        if stored["status"] != "open":
            raise AlreadyDone(f"follow-up {follow['_id']} was already resolved")
        stored.update(copy.deepcopy(changes))
        return {**follow, **changes}


# --- the contract ------------------------------------------------------------------------------

def event(type_: str, case_no: str, at: str, data: dict, site: str = "LX00") -> Event:
    return Event(id=uuid.uuid4().hex, type=type_, case_no=case_no, site=site, at=at,
                 actor={"staff_id": "clerk-1", "role": "clerk"}, data=data)


def accepted(case_no: str, on: str = "2026-03-02", promised: int = 5, departments=("FGW",)) -> Event:
    item = {"code": "XK-TEST", "name": "测试事项", "promised_limit": promised, "legal_limit": 20,
            "departments": list(departments), "case_type": "承诺件"}
    return event("case_accepted", case_no, f"{on}T09:00:00+08:00", {"accepted_on": on, "item": item})


def routed(case_no: str, on: str = "2026-03-02", departments=("FGW",)) -> Event:
    return event("case_routed", case_no, f"{on}T09:05:00+08:00", {"departments": list(departments)})


def new_case(n: int = 0) -> str:
    return f"LX00-20260302-{uuid.uuid4().int % 10**6:06d}{n}"


class SlaRepositoryContract:
    """Subclasses give a `repo` fixture: an empty store whose `outbox` is a MemoryOutbox."""

    @pytest.fixture(scope="class")
    def cal(self):
        return WorkCalendar.load()

    def followed(self, repo, cal, case_no, *events):
        for e in events:
            repo.record(e, "intake")
        return repo.refresh_many([case_no], cal, Policy(), TODAY)[case_no]

    def test_an_event_is_recorded_once_and_only_the_sla_s_own_events_are_published(self, repo):
        c = new_case()
        e = accepted(c)
        assert repo.record(e, "intake") and not repo.record(e, "intake")
        assert [x["id"] for x in repo.events(c)] == [e.id] and repo.events(c)[0]["data"] == e.data
        assert repo.outbox.published == []
        closed = event("case_closed", c, "2026-03-05T10:00:00+08:00", {"on_time_promised": True})
        assert repo.record(closed, "sla", own=True)
        assert [x["id"] for x in repo.outbox.published] == [closed.id]

    def test_cases_are_counted_by_the_furthest_step_seen(self, repo):
        a, b = new_case(1), new_case(2)
        for e in (accepted(a), accepted(b), routed(a)):
            repo.record(e, "intake")
        counts = repo.count_by_status()
        assert (counts["accepted"], counts["routed"], counts["held"]) == (1, 1, 0)

    def test_a_record_is_built_once_the_acceptance_is_seen_and_rewritten_only_when_it_changes(self, repo, cal):
        c = new_case()
        assert self.followed(repo, cal, c, routed(c)) == (None, None)
        before, after = self.followed(repo, cal, c, accepted(c))
        assert before is None and after["rev"] == 1 and repo.clock_record(c)["rev"] == 1
        again_before, again = repo.refresh_many([c], cal, Policy(), TODAY)[c]
        assert again["rev"] == 1 and repo.clock_record(c)["departments"] == ["FGW"]

    def test_several_cases_refresh_together(self, repo, cal):
        cases = [new_case(n) for n in range(3)]
        for c in cases:
            repo.record(accepted(c), "intake")
        results = repo.refresh_many(cases + cases[:1], cal, Policy(), TODAY)
        assert set(results) == set(cases) and all(after["rev"] == 1 for _, after in results.values())
        assert repo.clock_record("LX00-20990101-000000") is None

    def test_the_scan_saves_a_checked_record_unless_an_event_rewrote_it_meanwhile(self, repo, cal):
        a, b = new_case(1), new_case(2)
        self.followed(repo, cal, a, accepted(a, "2026-02-02"), routed(a, "2026-02-02"))
        self.followed(repo, cal, b, accepted(b, "2026-02-02"), routed(b, "2026-02-02"))
        due = {r["_id"]: r for r in repo.due_for_check(TODAY + timedelta(days=30), 10)}
        assert {a, b} <= set(due)
        self.followed(repo, cal, b, event("decision_made", b, "2026-02-05T10:00:00+08:00",
                                            {"department": "FGW", "outcome": "approved"}))
        pairs = [(due[c], {**case_record.restate(due[c], TODAY), "next_check": None}) for c in (a, b)]
        assert repo.save_checked(pairs) == 1
        assert repo.clock_record(a)["rev"] == 2 and repo.clock_record(a)["next_check"] is None
        assert a not in {r["_id"] for r in repo.due_for_check(TODAY + timedelta(days=30), 10)}

    def test_open_records_at_risk_come_earliest_due_first_by_department(self, repo, cal):
        late, later, other = new_case(1), new_case(2), new_case(3)
        self.followed(repo, cal, late, accepted(late, "2026-02-02"), routed(late, "2026-02-02"))
        self.followed(repo, cal, later, accepted(later, "2026-02-09"), routed(later, "2026-02-09"))
        self.followed(repo, cal, other, accepted(other, "2026-02-02", departments=("CZJ",)),
                      routed(other, "2026-02-02", departments=("CZJ",)))
        assert [r["_id"] for r in repo.at_risk("FGW", ["overdue"], 10)] == [late, later]
        assert {r["_id"] for r in repo.at_risk("", ["overdue"], 10)} == {late, later, other}
        assert {r["_id"] for r in repo.open_records()} == {late, later, other}
        assert {r["site"] for r in repo.open_records()} == {"LX00"}
        assert [r["departments"] for r in repo.records_between(date(2026, 2, 9), date(2026, 2, 9))] == [["FGW"]]

    def notice(self, case_no, level="overdue", dept="FGW", minutes=0):
        at = NOW + timedelta(minutes=minutes)
        n = {"_id": f"{case_no}/decision/{level}/2026-03-01", "case_no": case_no, "site": "LX00",
             "department": dept, "watch": "decision", "level": level, "due_date": "2026-03-01",
             "to": {"staff_id": "LX-FGW-01", "name": "王建国", "role": "chief"}, "text": "督办",
             "raised_at": at, "status": "open", "escalate_at": at + timedelta(hours=8),
             "escalated_at": None, "acknowledged": None}
        return n, {"id": uuid.uuid4().hex, "type": "supervision_raised", "case_no": case_no}

    def test_a_notice_is_stored_once_and_its_event_handed_on_once(self, repo):
        c = new_case()
        first = self.notice(c)
        assert repo.add_notices([first, self.notice(c, "due_soon", minutes=1)]) == 2
        assert repo.add_notices([first]) == 0 and repo.add_notices([]) == 0
        assert len(repo.outbox.published) == 2
        assert [n["level"] for n in repo.notices(case_no=c)] == ["due_soon", "overdue"]
        assert [n["level"] for n in repo.notices("FGW", "open", c, 1)] == ["due_soon"]
        assert repo.notices(department="CZJ", case_no=c) == []
        with pytest.raises(NotFound):
            repo.notice("no/such/notice")

    def test_a_notice_changes_only_from_the_status_it_was_read_in(self, repo):
        c = new_case()
        n, _ = self.notice(c)
        repo.add_notices([(n, {"id": "e1"})])
        assert [x["_id"] for x in repo.notices_to_escalate(NOW + timedelta(hours=9), 10)] == [n["_id"]]
        assert repo.notices_to_escalate(NOW + timedelta(hours=7), 10) == []
        read = repo.notice(n["_id"])
        repo.change_notice(read, {"status": "escalated", "escalate_at": None}, {"id": "e2"})
        assert repo.notice(n["_id"])["status"] == "escalated" and repo.outbox.published[-1] == {"id": "e2"}
        assert repo.notices_to_escalate(NOW + timedelta(hours=9), 10) == []
        with pytest.raises(AlreadyDone):
            repo.change_notice(read, {"status": "acknowledged"})

    def rating(self, case_no, bad=True):
        fu = {"_id": f"{case_no}/-", "case_no": case_no, "ticket": "", "department": "FGW", "site": "LX00",
              "window": "W01", "staff": "clerk-1", "level": 1, "comment": "慢", "opened_at": NOW,
              "fix_due": "2026-03-24", "status": "open", "resolved": None} if bad else None
        return {"_id": f"{case_no}/-", "case_no": case_no, "ticket": "", "window": "W01", "staff": "clerk-1",
                "site": "LX00", "department": "FGW", "item_code": "XK-TEST", "level": 1 if bad else 5,
                "label": "", "comment": "慢", "channel": "window", "rated_at": NOW, "rated_on": "2026-03-03",
                "bad": bad, "follow_up": fu}

    def test_a_rating_is_given_once_and_a_bad_one_is_followed_up_once(self, repo):
        bad, good = new_case(1), new_case(2)
        repo.add_rating(self.rating(bad))
        repo.add_rating(self.rating(good, bad=False))
        with pytest.raises(AlreadyDone):
            repo.add_rating(self.rating(bad))
        rated = repo.ratings_between(date(2026, 3, 3), date(2026, 3, 3))
        assert {r["case_no"] for r in rated} == {bad, good} and all("comment" not in r for r in rated)
        assert repo.ratings_between(date(2026, 3, 4), date(2026, 3, 5)) == []
        assert [f["case_no"] for f in repo.follow_ups("FGW", "open", 10)] == [bad]
        assert repo.follow_ups("CZJ", "", 10) == []
        follow = repo.follow_up(f"{bad}/-")
        done = repo.resolve_follow_up(follow, {"status": "resolved", "resolved": {"note": "已整改"}})
        assert done["status"] == "resolved" and [f["case_no"] for f in repo.follow_ups("", "resolved", 10)] == [bad]
        with pytest.raises(AlreadyDone):
            repo.resolve_follow_up(follow, {"status": "resolved"})
        with pytest.raises(NotFound):
            repo.follow_up(f"{good}/-")


class TestInMemorySlaRepository(SlaRepositoryContract):
    @pytest.fixture
    def repo(self):
        return InMemorySlaRepository(MemoryOutbox())
