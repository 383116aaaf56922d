"""One contract for approval's stores (hall/domain/approval_store.py), run against the in-memory
fakes here and against the real MongoDB-protocol server in
tests/integration/test_approval_repository.py, so the fakes the handler tests use cannot drift."""
from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest

from hall.domain import desk
from hall.domain.approval_store import Licensed, ReviewRepository, SealKeyStore
from hall.domain.errors import NotFound, StepOutOfOrder
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM, no_such_case
from tests.unit.backoffice_fixtures import CAT, NOW, authority, reviewer, routed
from tests.unit.fakes import MemoryOutbox

DUE = date(2026, 3, 16)


class InMemoryReviewRepository(ReviewRepository):
    """The fake: reviews kept in their stored form (hall.domain.desk.to_doc), held cases as dicts."""
    COLLECTIONS = ("reviews", "held")

    def __init__(self, outbox):
        self.outbox = outbox
        self.reviews: dict[str, dict] = {}
        self.held_cases: dict[str, dict] = {}

    def add(self, review, due):
        if review.case_no in self.reviews:
            return False
        self.reviews[review.case_no] = copy.deepcopy(desk.to_doc(review, due))
        return True

    def get(self, case_no):
        if case_no not in self.reviews:
            raise NotFound(no_such_case(case_no))
        return desk.from_doc(copy.deepcopy(self.reviews[case_no]))

    def save(self, review, events, due):
        stored = self.reviews.get(review.case_no)
        if stored is None or stored["rev"] != review.rev:
            raise StepOutOfOrder(f"case {review.case_no} was changed by someone else; try again")
        doc = copy.deepcopy(desk.to_doc(review, due))
        doc["rev"] = review.rev = review.rev + 1
        self.reviews[review.case_no] = doc
        self.outbox.handed(events)

    def worklist(self, department, limit, include_decided, queue="", claimed_by=""):
        docs = [d for d in self.reviews.values()
                if (department in d["children"] if include_decided else department in d["pending"])
                and (not queue or d["children"][department]["queue"] == queue)
                and (not claimed_by or d["children"][department]["claimed_by"] == claimed_by)]
        docs.sort(key=lambda d: d["due"][department])
        return [desk.from_doc(copy.deepcopy(d)) for d in docs[:limit]]

    def by_code(self, code):
        doc = next((d for d in self.reviews.values() if code in d["codes"]), None)
        return doc and desk.from_doc(copy.deepcopy(doc))

    def licences(self, holder_id):
        return [Licensed(copy.deepcopy(d["licence"]), copy.deepcopy(d["revocation"]))
                for d in self.reviews.values() if d["licence"].get("holder_id") == holder_id]

    def licence(self, number):
        found = [f for d in self.reviews.values() if d["licence"].get("licence_number") == number
                 for f in [Licensed(copy.deepcopy(d["licence"]), copy.deepcopy(d["revocation"]))]]
        return found[0] if found else None

    def hold(self, event):
        if event.case_no in self.held_cases:
            return False
        self.held_cases[event.case_no] = {"_id": event.case_no, "event": event.to_dict(), "dispatched": False}
        return True

    def held(self, include_dispatched, limit):
        docs = sorted((d for d in self.held_cases.values() if include_dispatched or not d["dispatched"]),
                      key=lambda d: d["event"]["at"])
        return copy.deepcopy(docs[:limit])

    def held_case(self, case_no):
        return copy.deepcopy(self.held_cases.get(case_no))

    def dispatch(self, case_no, dispatch, event):
        doc = self.held_cases.get(case_no)
        if doc is None:
            raise NotFound(f"case {case_no} is not held")
        if doc["dispatched"]:
            raise StepOutOfOrder(f"case {case_no} was already sent to {'、'.join(doc['dispatch']['departments'])}")
        doc.update(dispatched=True, dispatch=copy.deepcopy(dispatch))
        self.outbox.handed([event])
        return copy.deepcopy(doc)

    def count_by_status(self):
        return {"pending": sum(1 for d in self.reviews.values() if not d["outcome"]),
                "decided": sum(1 for d in self.reviews.values() if d["outcome"]),
                "held": sum(1 for d in self.held_cases.values() if not d["dispatched"])}


class InMemorySealKeys(SealKeyStore):
    def __init__(self):
        self.keys: dict[str, dict] = {}

    def record(self, key_id, department, public_key, seed=None):
        if key_id in self.keys:
            return False
        self.keys[key_id] = {"department": department, "public_key": public_key, "seed": seed}
        return True

    def seed(self, key_id):
        return (self.keys.get(key_id) or {}).get("seed")

    def public_key(self, key_id):
        return (self.keys.get(key_id) or {}).get("public_key")


LICENCE_TYPE = next(iter(CAT.licence_types))


def held_event(case_no: str, minutes: int = 0):
    return new_event("case_held", case_no, "LX00", NOW + timedelta(minutes=minutes), SYSTEM.to_dict(),
                     {"reason": "无对应责任部门", "item": {"code": "XK-TEST", "name": "测试事项"}})


def decided(repo, case_no="LX00-20260302-00001", **kw):
    """A single-department case approved by its reviewer and saved: sealed, with a licence."""
    review = routed(["SYJ"], licence_type=LICENCE_TYPE, case_no=case_no, **kw)
    repo.add(review, {"SYJ": DUE})
    review = repo.get(case_no)
    events = review.act(reviewer("SYJ"), "decide", {"outcome": "approve"}, authority(), NOW)
    repo.save(review, [e.to_dict() for e in events], {"SYJ": DUE})
    return review


class ReviewRepositoryContract:
    """Subclasses give a `repo` fixture: an empty repository of their kind built with a
    tests.unit.fakes.MemoryOutbox as `repo.outbox`."""

    def test_a_review_added_reads_back_the_same_and_only_once(self, repo):
        review = routed(["SCJG", "SYJ"])
        assert repo.add(review, {"SCJG": DUE, "SYJ": DUE})
        assert not repo.add(routed(["CGJ"]), {"CGJ": DUE})
        assert repo.get(review.case_no) == review

    def test_a_missing_case_is_not_found_as_the_policy_words_it(self, repo):
        with pytest.raises(NotFound, match=no_such_case("LX00-20260302-09999")):
            repo.get("LX00-20260302-09999")

    def test_a_save_hands_its_events_to_the_outbox_and_one_after_someone_else_s_is_refused(self, repo):
        repo.add(routed(["SYJ"]), {"SYJ": DUE})
        first, second = repo.get("LX00-20260302-00001"), repo.get("LX00-20260302-00001")
        first.act(reviewer("SYJ", 1), "claim", {}, authority(), NOW)
        repo.save(first, [{"id": "e1", "type": "x"}], {"SYJ": DUE})
        assert first.rev == 1 and repo.outbox.published == [{"id": "e1", "type": "x"}]
        second.act(reviewer("SYJ", 2), "claim", {}, authority(), NOW)
        with pytest.raises(StepOutOfOrder):
            repo.save(second, [{"id": "e2", "type": "x"}], {"SYJ": DUE})
        got = repo.get("LX00-20260302-00001")
        assert (got.children["SYJ"].claimed_by, got.rev, len(repo.outbox.published)) == ("R-SYJ-1", 1, 1)

    def test_a_worklist_is_a_departments_pending_cases_earliest_due_first(self, repo):
        for n, days in ((1, 9), (2, 3), (3, 6)):
            repo.add(routed(["SYJ"], case_no=f"LX00-20260302-0000{n}"), {"SYJ": DUE + timedelta(days=days)})
        repo.add(routed(["CGJ"], case_no="LX00-20260302-00004"), {"CGJ": DUE})
        assert [r.case_no[-1] for r in repo.worklist("SYJ", 50, False)] == ["2", "3", "1"]
        assert [r.case_no[-1] for r in repo.worklist("SYJ", 2, False)] == ["2", "3"]
        assert [r.case_no for r in repo.worklist("CGJ", 50, False)] == ["LX00-20260302-00004"]
        assert repo.worklist("SYJ", 50, False, queue="professional") == []

    def test_a_worklist_filters_by_claimant_and_keeps_decided_cases_only_when_asked(self, repo):
        decided(repo)
        repo.add(routed(["SYJ"], case_no="LX00-20260302-00002"), {"SYJ": DUE})
        review = repo.get("LX00-20260302-00002")
        review.act(reviewer("SYJ", 7), "claim", {}, authority(), NOW)
        repo.save(review, [], {"SYJ": DUE})
        assert [r.case_no for r in repo.worklist("SYJ", 50, False)] == ["LX00-20260302-00002"]
        assert len(repo.worklist("SYJ", 50, True)) == 2
        assert [r.case_no for r in repo.worklist("SYJ", 50, True, claimed_by="R-SYJ-7")] == ["LX00-20260302-00002"]
        assert repo.count_by_status() == {"pending": 1, "decided": 1, "held": 0}

    def test_a_sealed_decision_is_found_by_its_verification_code_and_its_licence_by_holder_and_number(self, repo):
        review = decided(repo)
        assert repo.by_code(review.decision["code"]).case_no == review.case_no
        assert repo.by_code("AAAA-BBBB-CCCC-DDDD") is None
        number, holder = review.licence["licence_number"], review.licence["holder_id"]
        assert repo.licences(holder) == [Licensed(review.licence, {})] and repo.licences("nobody") == []
        assert repo.licence(number) == Licensed(review.licence, {}) and repo.licence("none") is None

    def test_a_held_case_is_held_once_listed_oldest_first_and_sent_on_once(self, repo):
        assert repo.hold(held_event("LX00-20260302-00002", 5)) and repo.hold(held_event("LX00-20260302-00001"))
        assert not repo.hold(held_event("LX00-20260302-00001", 9))
        assert [d["_id"][-1] for d in repo.held(False, 50)] == ["1", "2"]
        sent = repo.dispatch("LX00-20260302-00001", {"departments": ["SYJ"], "by": "S-1", "at": NOW.isoformat(),
                                                     "note": ""}, {"id": "d1", "type": "case_dispatched"})
        assert sent["dispatched"] and sent["dispatch"]["departments"] == ["SYJ"]
        assert repo.outbox.published == [{"id": "d1", "type": "case_dispatched"}]
        with pytest.raises(StepOutOfOrder, match="already sent to SYJ"):
            repo.dispatch("LX00-20260302-00001", {"departments": ["CGJ"]}, {"id": "d2"})
        with pytest.raises(NotFound):
            repo.dispatch("LX00-20260302-00009", {"departments": ["CGJ"]}, {"id": "d3"})
        assert [d["_id"][-1] for d in repo.held(False, 50)] == ["2"] and len(repo.held(True, 50)) == 2
        assert repo.held_case("LX00-20260302-00001")["dispatched"] and repo.held_case("nope") is None
        assert repo.count_by_status()["held"] == 1


class SealKeyStoreContract:
    """Subclasses give a `keys` fixture: an empty seal key store of their kind."""

    def test_a_key_is_recorded_once_with_its_seed_only_when_given(self, keys):
        assert keys.record("SYJ-v1", "SYJ", "pub-1", b"\x01" * 32)
        assert not keys.record("SYJ-v1", "SYJ", "pub-2", b"\x02" * 32)
        assert keys.record("CGJ-v1", "CGJ", "pub-3")
        assert (keys.public_key("SYJ-v1"), keys.seed("SYJ-v1")) == ("pub-1", b"\x01" * 32)
        assert (keys.public_key("CGJ-v1"), keys.seed("CGJ-v1")) == ("pub-3", None)
        assert keys.public_key("XX-v1") is None and keys.seed("XX-v1") is None


class TestInMemoryReviewRepository(ReviewRepositoryContract):
    @pytest.fixture
    def repo(self):
        return InMemoryReviewRepository(MemoryOutbox())


class TestInMemorySealKeys(SealKeyStoreContract):
    @pytest.fixture
    def keys(self):
        return InMemorySealKeys()
