"""One contract for delivery's store and its notifier, run against the in-memory fakes here and
against the real MongoDB-protocol server in tests/integration/test_delivery_repository.py, so
the fakes the handler tests use cannot drift from the real thing (the fake notifier once kept
`sent` as a dict where the repository calls it)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hall.domain.clock import SHANGHAI
from hall.domain.errors import InvalidArgument, NotFound, StepOutOfOrder
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM, Actor
from hall.domain.issuance import Issuance
from hall.domain.notification import compose
from hall.domain.shipment import DeliveryArea, EmsCarrier
from hall.domain.workdays import WorkCalendar
from tests.unit.fakes import InMemoryIssuanceRepository, MemoryNotifier, MemoryOutbox

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
APPLICANT = {"kind": "person", "name": "王伟", "id_number": "370102198001010015", "phone": "13800000001"}
CAL = WorkCalendar(())


def prepared(n: int = 1, site: str = "LX00", at: datetime = NOW) -> tuple[Issuance, list[dict]]:
    event = new_event("case_decided", f"{site}-20260302-{n:05d}", site, at, SYSTEM.to_dict(),
                      {"outcome": "approved", "applicant": APPLICANT, "delivery": "pickup"})
    issuance, events = Issuance.prepare(event, at, CAL, ["准予行政许可决定书"], site, "出件区",
                                        EmsCarrier(DeliveryArea({})), code=lambda: "123456")
    return issuance, [e.to_dict() for e in events]


class NotifierContract:
    """Subclasses give a `notifier` fixture: an empty notifier of their kind."""

    def test_a_notice_is_sent_once_by_its_id(self, notifier):
        n = compose("C1", 1, "reminder", "13900000000", NOW, place="出件区")
        assert notifier.send(n) is True and notifier.send(n) is False

    def test_it_answers_which_notices_were_sent_as_the_repository_asks(self, notifier):
        notifier.send(compose("C1", 1, "reminder", "13900000000", NOW, place="出件区"))
        assert notifier.sent(["C1/1", "C1/2"]) == {"C1/1"} and notifier.sent([]) == set()


class IssuanceRepositoryContract:
    """Subclasses give a `repo` fixture: an empty repository of their kind whose outbox is a
    MemoryOutbox (`repo.outbox.published`)."""

    def test_a_prepared_result_reads_back_hands_its_events_over_and_sends_its_notice(self, repo):
        issuance, events = prepared()
        assert repo.prepare(issuance, events)
        got = repo.get(issuance.case_no)
        assert (got.status, got.pickup_site, got.documents, got.rev) == ("ready", "LX00", ["准予行政许可决定书"], 0)
        assert [e["type"] for e in repo.outbox.published] == ["result_ready"]
        assert repo.notices_sent(got) == 1 and not issuance.fresh

    def test_a_case_is_prepared_once_and_a_redelivery_resends_what_a_crash_cut_short(self, repo):
        issuance, events = prepared()
        repo._insert(issuance, events)  # stored, then the process died before notifying
        again, events = prepared()
        assert repo.prepare(again, events) is False
        assert repo.notices_sent(repo.get(issuance.case_no)) == 1

    def test_a_missing_case_is_not_found(self, repo):
        with pytest.raises(NotFound, match="no result is ready"):
            repo.get("LX00-20260302-09999")

    def test_a_save_after_someone_else_s_save_is_refused(self, repo):
        issuance, events = prepared()
        repo.prepare(issuance, events)
        first, second = repo.get(issuance.case_no), repo.get(issuance.case_no)
        first.reminders = 1
        repo.save(first, [{"id": "e1", "type": "reminder_sent"}])
        assert first.rev == 1 and repo.outbox.published[-1]["id"] == "e1"
        with pytest.raises(StepOutOfOrder, match="changed meanwhile"):
            repo.save(second, [])
        assert repo.get(issuance.case_no).reminders == 1

    def test_the_scan_finds_results_due_for_a_reminder_or_the_archive(self, repo):
        old, events = prepared(1, at=NOW - timedelta(days=4))
        repo.prepare(old, events)
        repo.prepare(*prepared(2))
        due = repo.due_for_scan(NOW, timedelta(days=3), timedelta(days=60))
        assert [i.case_no for i in due] == [old.case_no]

    def test_the_queue_holds_a_site_s_waiting_results_earliest_due_first(self, repo):
        later, events = prepared(1, at=NOW + timedelta(days=2))
        repo.prepare(later, events)
        earlier, events = prepared(2)
        repo.prepare(earlier, events)
        repo.prepare(*prepared(3, site="LX03"))
        assert [i.case_no for i in repo.queue("LX00", 10)] == [earlier.case_no, later.case_no]
        assert [i.case_no for i in repo.queue("LX00", 1)] == [earlier.case_no]

    def test_refusals_are_logged_with_who_when_and_why(self, repo):
        clerk = Actor("LX00-C01", "clerk", "LX00")
        repo.refused("C1", "collect", clerk, InvalidArgument("no code"), NOW + timedelta(seconds=1))
        repo.refused("C1", "choose_courier", clerk, InvalidArgument("outside"), NOW)
        repo.refused("C2", "collect", clerk, InvalidArgument("x"), NOW)
        got = repo.refusals("C1")
        assert [r["action"] for r in got] == ["choose_courier", "collect"]
        assert got[1] == {"case_no": "C1", "action": "collect", "actor": clerk.to_dict(),
                          "at": (NOW + timedelta(seconds=1)).isoformat(), "error": "InvalidArgument",
                          "reason": "no code"}

    def test_recent_notices_left_unsent_by_a_crash_are_sent_once(self, repo):
        issuance, events = prepared()
        repo._insert(issuance, events)
        assert repo.resend_recent(timedelta(minutes=10), datetime.now(SHANGHAI)) == 1
        assert repo.resend_recent(timedelta(minutes=10), datetime.now(SHANGHAI)) == 0

    def test_results_are_counted_by_status(self, repo):
        repo.prepare(*prepared(1))
        repo.prepare(*prepared(2))
        counts = repo.count_by_status()
        assert counts["ready"] == 2 and set(counts) == {"forwarding", "ready", "shipping", "issued", "archived"}


class TestMemoryNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self):
        return MemoryNotifier()


class TestInMemoryIssuanceRepository(IssuanceRepositoryContract):
    @pytest.fixture
    def repo(self):
        return InMemoryIssuanceRepository(MemoryOutbox())
