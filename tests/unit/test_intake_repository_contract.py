"""One contract for intake's store (hall.domain.intake_store.IntakeStore), run against the
in-memory fake here and against the real MongoDB-protocol server in
tests/integration/test_intake_repository.py, so the fake the handler tests use cannot drift."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from hall.domain.errors import StepOutOfOrder
from hall.domain.intake_store import IntakeStore
from tests.unit.fakes import MemoryOutbox


class InMemoryIntakeRepository(IntakeStore):
    """The fake: the same port, kept in dicts of copies, handing events to its outbox."""

    def __init__(self, outbox):
        self.outbox = outbox
        self.rows: dict[str, dict[str, dict]] = {n: {} for n in (
            "cases", "submissions", "supplements", "tickets", "consultations", "prereviews")}
        self.counters: dict[tuple, int] = {}

    def _get(self, coll, _id):
        doc = self.rows[coll].get(_id)
        return copy.deepcopy(doc) if doc else None

    def _find(self, coll, **where):
        return [copy.deepcopy(d) for d in self.rows[coll].values()
                if all(d.get(k) == v for k, v in where.items())]

    def _first(self, coll, **where):
        found = self._find(coll, **where)
        return found[0] if found else None

    def _add_once(self, coll, doc, **key):
        if doc["_id"] in self.rows[coll] or (key and self._first(coll, **key)):
            return self._first(coll, **key) if key else self._get(coll, doc["_id"])
        self.rows[coll][doc["_id"]] = copy.deepcopy(doc)
        return None

    def next_sequence(self, counter, day):
        self.counters[counter, day] = self.counters.get((counter, day), 0) + 1
        return self.counters[counter, day]

    def case(self, case_no):
        return self._get("cases", case_no)

    def case_by_key(self, idem):
        return self._first("cases", idem=idem)

    def add_case(self, record, events):
        existing = self._add_once("cases", {**record, "out": list(events)}, idem=record["idem"])
        if existing is None:
            self.outbox.handed(events)
        return existing

    def submission(self, idem):
        return self._get("submissions", idem)

    def add_submission(self, doc):
        return self._add_once("submissions", doc)

    def document(self, code):
        for coll in ("cases", "submissions", "prereviews"):
            for d in self.rows[coll].values():
                for doc in d.get("documents") or []:
                    if doc["code"] == code:
                        return copy.deepcopy(doc)
        return None

    def handovers(self, department, unsigned_only, limit):
        cases = sorted(self.rows["cases"].values(), key=lambda c: c["accepted_at"])
        return [{"case_no": c["_id"], **copy.deepcopy(c["handover"])} for c in cases
                if c.get("handover") and c["handover"]["department"] == department
                and (not unsigned_only or not c["handover"]["signed_at"])][:limit]

    def sign_handover(self, case_no, actor, at):
        h = (self.rows["cases"].get(case_no) or {}).get("handover")
        if not h or h["signed_at"]:
            return False
        h.update(signed_at=at, signed_by=copy.deepcopy(actor))
        return True

    def add_waiting_supplement(self, rec):
        return self._add_once("supplements", rec) is None

    def supplements(self, site="", case_no="", waiting_only=False, limit=100):
        found = [{k: v for k, v in d.items() if k != "out"} for d in self._find("supplements")
                 if (not site or d["site"] == site) and (not case_no or d["case_no"] == case_no)
                 and (not waiting_only or d["status"] == "waiting")]
        return sorted(found, key=lambda d: d["requested_at"])[:limit]

    def submit_supplement(self, rec_id, fields, event):
        rec = self.rows["supplements"].get(rec_id)
        if rec is None or rec["status"] != "waiting":
            return False
        rec.update(copy.deepcopy(fields), status="submitted")
        rec["out"] = [*rec.get("out", []), copy.deepcopy(event)]
        self.outbox.handed([event])
        return True

    def count_by_status(self):
        return {"accepted": len(self.rows["cases"]),
                "awaiting_supplement": len(self._find("supplements", status="waiting"))}

    def ticket(self, ticket_id):
        return self._get("tickets", ticket_id)

    def ticket_by_key(self, idem):
        return self._first("tickets", idem=idem)

    def last_seq(self, site, day, sector):
        return max((t["seq"] for t in self._find("tickets", site=site, day=day, origin=sector)), default=0)

    def add_ticket(self, doc):
        if self._first("tickets", idem=doc["idem"]):
            return "same_key"
        return "taken" if self._add_once("tickets", doc) else "ok"

    def waiting_tickets(self, site, day, sectors):
        return [t for t in self._find("tickets", site=site, day=day, status="waiting") if t["sector"] in sectors]

    def _update_waiting(self, coll, _id, fields):
        doc = self.rows[coll].get(_id)
        if doc is None or doc["status"] != "waiting":
            return False
        doc.update(copy.deepcopy(fields))
        return True

    def claim_ticket(self, ticket_id, fields):
        return self._update_waiting("tickets", ticket_id, fields)

    def change_ticket(self, ticket, fields, inc=None):
        t = self.rows["tickets"].get(ticket["_id"])
        if t is None or t["status"] != ticket["status"]:
            raise StepOutOfOrder(f"ticket {ticket['number']} was changed at another window; look again")
        t.update(copy.deepcopy(fields))
        for k, n in (inc or {}).items():
            t[k] = t.get(k, 0) + n
        return self.ticket(ticket["_id"])

    def tickets_of_day(self, site, day):
        return self._find("tickets", site=site, day=day)

    def consultation(self, _id):
        return self._get("consultations", _id)

    def add_consultation(self, doc):
        return self._add_once("consultations", doc, idem=doc["idem"])

    def prereview(self, _id):
        return self._get("prereviews", _id)

    def prereview_by_key(self, idem):
        return self._first("prereviews", idem=idem)

    def add_prereview(self, doc):
        return self._add_once("prereviews", doc, idem=doc["idem"])

    def prereviews(self, site, status, limit):
        found = [p for p in self._find("prereviews", site=site) if not status or p["status"] == status]
        return sorted(found, key=lambda p: p["received_at"])[:limit]

    def close_prereview(self, _id, fields):
        return self._update_waiting("prereviews", _id, fields)


DAY = "2026-03-10"


def case(case_no="LX00-20260310-00000001", key="LX00/k1", department="SCJG", paper=True, at="09:00"):
    doc = {"_id": case_no, "idem": key, "site": "LX00", "accepted_at": f"{DAY}T{at}:00+08:00",
           "item": {"code": "X", "departments": [department]},
           "documents": [{"code": f"N{case_no[-8:]}", "kind": "acceptance_notice"}]}
    doc["handover"] = {"department": department, "site": "LX00", "signed_at": "", "signed_by": None,
                       "due_at": f"{DAY}T23:59:59+08:00"} if paper else None
    return doc


def event(n=1, type_="case_accepted"):
    return {"id": f"e-{n}", "type": type_, "case_no": "LX00-20260310-00000001"}


def ticket(seq, sector="经济发展", priority=0, status="waiting", queued="09:00"):
    return {"_id": f"LX00/{DAY}/JJ/{seq}", "idem": f"LX00/t{seq}", "number": f"A{seq:03d}", "site": "LX00",
            "day": DAY, "sector": sector, "origin": sector, "seq": seq, "priority_rank": priority,
            "status": status, "queued_at": f"{DAY}T{queued}:00+08:00", "recalls": 0}


def waiting_request(rec_id="req-1", case_no="LX00-20260310-00000001", department="SCJG", at="10:00"):
    return {"_id": rec_id, "case_no": case_no, "site": "LX00", "department": department, "reason": "缺件",
            "materials": [], "deadline_days": 5, "requested_at": f"{DAY}T{at}:00+08:00",
            "requested_by": {}, "status": "waiting", "out": []}


class IntakeStoreContract:
    """Subclasses give `repo` (an empty store built with `outbox`) and `outbox` (a MemoryOutbox)."""

    def test_sequences_never_repeat_and_are_per_counter_and_day(self, repo):
        got = [repo.next_sequence("LX00", date(2026, 3, 10)) for _ in range(3)]
        assert len(set(got)) == 3 and got == sorted(got)
        assert repo.next_sequence("LX00", date(2026, 3, 11)) == 1 == repo.next_sequence("LX00-DOC", date(2026, 3, 10))

    def test_a_case_is_stored_once_per_key_and_its_events_reach_the_outbox_at_once(self, repo, outbox):
        assert repo.add_case(case(), [event()]) is None
        assert [e["id"] for e in outbox.published] == ["e-1"]
        again = repo.add_case(case("LX00-20260310-00000002"), [event(2)])
        assert again["_id"] == "LX00-20260310-00000001" and [e["id"] for e in outbox.published] == ["e-1"]
        assert repo.case_by_key("LX00/k1")["out"] == [event()] and repo.case("LX00-20260310-00000002") is None
        assert repo.count_by_status()["accepted"] == 1

    def test_a_submission_is_stored_once_and_documents_are_found_by_code(self, repo):
        sub = {"_id": "LX00/s1", "result": "refused", "documents": [{"code": "SUBMISSION0001"}]}
        assert repo.add_submission(sub) is None
        assert repo.add_submission({**sub, "result": "supplement"})["result"] == "refused"
        repo.add_case(case(), [event()])
        assert repo.document("SUBMISSION0001") == {"code": "SUBMISSION0001"}
        assert repo.document("N00000001")["kind"] == "acceptance_notice"
        assert repo.document("NOSUCHCODE0000") is None

    def test_a_handover_is_listed_oldest_first_and_signed_once(self, repo):
        repo.add_case(case("LX00-20260310-00000002", "LX00/k2", at="10:00"), [event(2)])
        repo.add_case(case(), [event()])
        repo.add_case(case("LX00-20260310-00000003", "LX00/k3", paper=False), [event(3)])
        assert [h["case_no"] for h in repo.handovers("SCJG", False, 10)] == [
            "LX00-20260310-00000001", "LX00-20260310-00000002"]
        assert repo.sign_handover("LX00-20260310-00000001", {"staff_id": "r1"}, "2026-03-10T11:00:00+08:00")
        assert not repo.sign_handover("LX00-20260310-00000001", {"staff_id": "r2"}, "2026-03-10T12:00:00+08:00")
        assert repo.case("LX00-20260310-00000001")["handover"]["signed_by"] == {"staff_id": "r1"}
        assert [h["case_no"] for h in repo.handovers("SCJG", True, 10)] == ["LX00-20260310-00000002"]

    def test_a_supplement_request_is_recorded_once_and_submitted_once_with_its_event(self, repo, outbox):
        assert repo.add_waiting_supplement(waiting_request())
        assert not repo.add_waiting_supplement(waiting_request())
        repo.add_waiting_supplement(waiting_request("req-2", "LX00-20260310-00000009", at="09:00"))
        assert [r["_id"] for r in repo.supplements(site="LX00", waiting_only=True)] == ["req-2", "req-1"]
        assert repo.count_by_status()["awaiting_supplement"] == 2
        done = event(7, "supplement_submitted")
        assert repo.submit_supplement("req-1", {"idempotency_key": "s1"}, done)
        assert not repo.submit_supplement("req-1", {"idempotency_key": "s2"}, event(8, "supplement_submitted"))
        assert [e["id"] for e in outbox.published] == ["e-7"]
        [rec] = repo.supplements(case_no="LX00-20260310-00000001")
        assert (rec["status"], rec["idempotency_key"]) == ("submitted", "s1") and "out" not in rec
        assert [r["_id"] for r in repo.supplements(site="LX00", waiting_only=True)] == ["req-2"]

    def test_a_ticket_is_taken_once_per_key_and_number(self, repo):
        assert repo.last_seq("LX00", DAY, "经济发展") == 0
        assert repo.add_ticket(ticket(1)) == "ok"
        assert repo.add_ticket({**ticket(1), "idem": "LX00/other"}) == "taken"
        assert repo.add_ticket({**ticket(2), "idem": "LX00/t1"}) == "same_key"
        assert repo.last_seq("LX00", DAY, "经济发展") == 1 and repo.ticket_by_key("LX00/t1")["seq"] == 1

    def test_waiting_tickets_are_those_of_the_day_sectors_and_status(self, repo):
        for t in (ticket(1), ticket(2, status="called"), ticket(3, sector="城市建设"), ticket(4, priority=1)):
            repo.add_ticket(t)
        repo.add_ticket({**ticket(5), "day": "2026-03-09", "_id": "old", "idem": "LX00/old"})
        assert sorted(t["seq"] for t in repo.waiting_tickets("LX00", DAY, ("经济发展",))) == [1, 4]
        assert len(repo.tickets_of_day("LX00", DAY)) == 4

    def test_a_ticket_is_claimed_by_one_window_and_changed_only_from_the_status_read(self, repo):
        repo.add_ticket(ticket(1))
        t = repo.ticket(ticket(1)["_id"])
        assert repo.claim_ticket(t["_id"], {"status": "called", "window": "W1"})
        assert not repo.claim_ticket(t["_id"], {"status": "called", "window": "W2"})
        called = repo.ticket(t["_id"])
        assert called["window"] == "W1"
        recalled = repo.change_ticket(called, {"called_at": "x"}, {"recalls": 1})
        assert recalled["recalls"] == 1
        with pytest.raises(StepOutOfOrder):
            repo.change_ticket(t, {"status": "served"})  # read while it was still waiting

    def test_consultations_and_online_applications_are_stored_once_per_key(self, repo):
        assert repo.add_consultation({"_id": "ZX-1", "idem": "LX00/c1", "question": "a"}) is None
        assert repo.add_consultation({"_id": "ZX-2", "idem": "LX00/c1", "question": "b"})["_id"] == "ZX-1"
        assert repo.consultation("ZX-1")["question"] == "a" and repo.consultation("ZX-2") is None
        pre = {"_id": "YS-1", "idem": "LX00/p1", "site": "LX00", "status": "waiting",
               "received_at": f"{DAY}T10:00:00+08:00", "documents": [{"code": "PREREVIEW00001"}]}
        assert repo.add_prereview(pre) is None
        assert repo.add_prereview({**pre, "_id": "YS-2"})["_id"] == "YS-1"
        repo.add_prereview({**pre, "_id": "YS-3", "idem": "LX00/p3", "received_at": f"{DAY}T09:00:00+08:00"})
        assert [p["_id"] for p in repo.prereviews("LX00", "waiting", 10)] == ["YS-3", "YS-1"]
        assert repo.prereview_by_key("LX00/p1")["_id"] == "YS-1" and repo.document("PREREVIEW00001")
        assert repo.close_prereview("YS-1", {"status": "passed"})
        assert not repo.close_prereview("YS-1", {"status": "returned"})
        assert [p["_id"] for p in repo.prereviews("LX00", "", 10)] == ["YS-3", "YS-1"]
        assert [p["_id"] for p in repo.prereviews("LX00", "passed", 10)] == ["YS-1"]


class TestInMemoryIntakeRepository(IntakeStoreContract):
    @pytest.fixture
    def outbox(self):
        return MemoryOutbox()

    @pytest.fixture
    def repo(self, outbox):
        return InMemoryIntakeRepository(outbox)
