"""The SLA service's own database (MongoDB): every case's timeline (`timeline`, one document per
event seen), one clock record per case (`clocks`, indexed by the day it next needs a look),
supervision notices (`notices`, carrying their events for the outbox) and ratings with their
follow-ups (`ratings`) — the adapter of hall.domain.sla_store.SlaStore.

A clock record is rewritten only when an event or the scan changes it (updates are the costly
writes on the embedded server), under optimistic concurrency (`rev`).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from pymongo import ASCENDING, DESCENDING, InsertOne, ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from hall.domain import case_clock, case_record
from hall.domain.errors import AlreadyDone, NotFound
from hall.domain.events import Event
from hall.domain.ports import EventOutbox
from hall.domain.sla_store import SlaStore, same
from hall.domain.timeline import STEP
from hall.infra.outbox import stamp
from hall.infra.tallies import Tallies

CHECKED = ("watches", "state", "raised", "next_check", "late_promised", "late_legal", "on_time_promised",
           "on_time_legal")
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)  # a lower bound: acknowledged notices hold null
STATS_FIELDS = {k: 1 for k in ("departments", "window", "staff", "site", "item_code", "decided_on",
                               "on_time_promised", "on_time_legal", "working_days", "late_promised",
                               "supplements", "visits")}


class SlaRepository(SlaStore):
    """Everything the SLA service stores, built with the outbox its own events leave by."""
    COLLECTIONS = ("timeline", "notices")

    def __init__(self, db, outbox: EventOutbox):
        self.db, self.outbox = db, outbox
        db.timeline.create_index([("case_no", ASCENDING), ("at", ASCENDING)])
        db.timeline.create_index("type")
        db.clocks.create_index("next_check")
        db.clocks.create_index("accepted_on")
        db.clocks.create_index([("open", ASCENDING), ("state", ASCENDING)])
        db.notices.create_index("escalate_at")
        db.notices.create_index([("department", ASCENDING), ("raised_at", DESCENDING)])
        db.notices.create_index("case_no")
        db.ratings.create_index("rated_on")
        db.ratings.create_index("follow_up.status")
        # the timeline's events by type, kept as they are recorded (the cases-by-status gauges)
        self.tallies = Tallies(db.tallies)
        self.tallies.start_from(self._count_timeline)

    # the timeline
    def record(self, event: Event, service: str, own: bool = False) -> bool:
        doc = {"_id": event.id, **event.to_dict(), "service": service}
        doc.pop("id")
        if own:
            stamp(doc)["out"] = [event.to_dict()]
        try:
            self.db.timeline.insert_one(doc)
        except DuplicateKeyError:
            return False
        if event.type in STEP:
            self.tallies.add(event.type)
        if own:
            self.outbox.handed([event.to_dict()])
        return True

    def events(self, case_no: str) -> list[dict]:
        docs = list(self.db.timeline.find({"case_no": case_no}, {"out": 0, "out_at": 0}))
        for d in docs:
            d["id"] = d.pop("_id")
        return docs

    def _count_timeline(self) -> dict:
        """The timeline's events by type, counted (once, for a timeline older than its tallies)."""
        return {t: self.db.timeline.count_documents({"type": t}) for t in STEP}

    def count_by_status(self) -> dict:
        """Cases now in each status: those that reached a step minus those that went past it,
        from the tallies the recorded events keep (one small read, however many are stored)."""
        reached = self.tallies.counts(STEP)
        order = ["case_accepted", "case_routed", "case_decided", "result_ready", "result_issued"]
        counts = {STEP[t][1]: reached[t] - reached[n] for t, n in zip(order, order[1:])}
        counts["accepted"] -= reached["case_held"]
        counts["held"] = reached["case_held"]
        counts["closed"] = reached["case_closed"]
        return counts

    # clock records
    def refresh(self, case_no: str, events_of, calendar, policy, today: date) -> tuple[dict | None, dict | None]:
        """Rebuild a case's clock record from its timeline; returns (before, after), after None
        while the acceptance has not been seen. Retries when another worker wrote in between."""
        for _ in range(8):
            f = case_clock.facts(events_of(case_no))
            if f is None:
                return None, None
            old = self.db.clocks.find_one({"_id": case_no})
            rec = case_record.build(f, calendar, today, policy, old and old["raised"])
            if old is not None and same(old, rec):
                return old, old
            rec["rev"] = (old["rev"] + 1) if old else 1
            try:
                if old is None:
                    self.db.clocks.insert_one({"_id": case_no, **rec})
                    return None, rec
                if self.db.clocks.replace_one({"_id": case_no, "rev": old["rev"]},
                                              {"_id": case_no, **rec}).matched_count:
                    return old, rec
            except DuplicateKeyError:
                pass
        raise RuntimeError(f"clock record of {case_no} kept changing under us")

    def refresh_many(self, case_nos: list[str], calendar, policy, today: date) -> dict:
        """`refresh` for several cases in three requests (their events, their records, one bulk
        write) instead of two reads and a write each; a case whose record changed under us
        falls back to `refresh`. Returns {case_no: (before, after)}."""
        case_nos = list(dict.fromkeys(case_nos))
        events: dict[str, list[dict]] = {c: [] for c in case_nos}
        for d in self.db.timeline.find({"case_no": {"$in": case_nos}}, {"out": 0, "out_at": 0}):
            d["id"] = d.pop("_id")
            events[d["case_no"]].append(d)
        olds = {d["_id"]: d for d in self.db.clocks.find({"_id": {"$in": case_nos}})}
        result, ops, planned = {}, [], []
        for c in case_nos:
            f = case_clock.facts(events[c])
            if f is None:
                result[c] = (None, None)
                continue
            old = olds.get(c)
            rec = case_record.build(f, calendar, today, policy, old and old["raised"])
            if old is not None and same(old, rec):
                result[c] = (old, old)
                continue
            rec["rev"] = (old["rev"] + 1) if old else 1
            rec["wid"] = uuid.uuid4().hex  # tells our write from a racing one of the same rev
            ops.append(InsertOne({"_id": c, **rec}) if old is None
                       else ReplaceOne({"_id": c, "rev": old["rev"]}, {"_id": c, **rec}))
            planned.append((c, old, rec))
        failed = set()
        if ops:
            try:
                done = self.db.clocks.bulk_write(ops, ordered=False)
                if done.inserted_count + done.matched_count == len(ops):
                    # every insert went in and every replace matched its rev: all landed
                    result.update({c: (old, rec) for c, old, rec in planned})
                    return result
            except BulkWriteError as exc:
                failed = {planned[e["index"]][0] for e in exc.details.get("writeErrors", [])}
            # a replace that matched nothing lost a race: check each planned write landed
            landed = {d["_id"]: d.get("wid") for d in self.db.clocks.find(
                {"_id": {"$in": [c for c, _, _ in planned]}}, {"wid": 1})}
            for c, old, rec in planned:
                if c in failed or landed.get(c) != rec["wid"]:
                    result[c] = self.refresh(c, self.events, calendar, policy, today)
                else:
                    result[c] = (old, rec)
        return result

    def clock_record(self, case_no: str) -> dict | None:
        return self.db.clocks.find_one({"_id": case_no})

    def due_for_check(self, today: date, limit: int) -> list[dict]:
        """Records whose next check has come: an indexed range, whatever the number stored.
        The lower bound keeps the records with no next check (null) out of the index scan."""
        return list(self.db.clocks.find({"next_check": {"$gte": "1900-01-01", "$lte": today.isoformat()}})
                    .limit(limit))

    def save_checked(self, pairs: list[tuple[dict, dict]]) -> int:
        """Write the scanned records in one bulk request; a record an event rewrote meanwhile
        (other `rev`) is left alone and comes up again at the next scan. Returns how many."""
        if not pairs:
            return 0
        ops = [UpdateOne({"_id": old["_id"], "rev": old["rev"]},
                         {"$set": {**{k: rec[k] for k in CHECKED}, "rev": old["rev"] + 1}})
               for old, rec in pairs]
        return self.db.clocks.bulk_write(ops, ordered=False).matched_count

    def open_records(self) -> list[dict]:
        return list(self.db.clocks.find({"open": True}, {"departments": 1, "site": 1, "state": 1,
                                                         "paused": 1}))

    def at_risk(self, department: str, states: list[str], limit: int) -> list[dict]:
        query = {"open": True, "state": {"$in": states}}
        if department:
            query["departments"] = department
        return list(self.db.clocks.find(query).sort("due", ASCENDING).limit(limit))

    def records_between(self, start: date, end: date) -> list[dict]:
        return list(self.db.clocks.find({"accepted_on": {"$gte": start.isoformat(), "$lte": end.isoformat()}},
                                        STATS_FIELDS))

    # notices
    def add_notices(self, raised: list[tuple[dict, dict]]) -> int:
        """Store new notices with their events in one batch (a notice already there is kept as
        it is), then hand the new events to the outbox. Returns how many were new."""
        if not raised:
            return 0
        docs = [stamp({**notice, "out": [event]}) for notice, event in raised]
        failed = set()
        try:
            self.db.notices.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if any(e["code"] != 11000 for e in exc.details["writeErrors"]):
                raise
            failed = {e["index"] for e in exc.details["writeErrors"]}
        new = [event for i, (_, event) in enumerate(raised) if i not in failed]
        self.outbox.handed(new)
        return len(new)

    def notices_to_escalate(self, now: datetime, limit: int) -> list[dict]:
        return list(self.db.notices.find({"escalate_at": {"$gte": EPOCH, "$lte": now}}, {"out": 0}).limit(limit))

    def change_notice(self, notice: dict, changes: dict, event: dict | None = None) -> None:
        update = {"$set": stamp(dict(changes)) if event else changes}
        if event:
            update["$push"] = {"out": event}
        if not self.db.notices.update_one({"_id": notice["_id"], "status": notice["status"]},
                                          update).matched_count:
            raise AlreadyDone(f"notice {notice['_id']} was changed at the same moment; read it again")
        if event:
            self.outbox.handed([event])

    def notice(self, notice_id: str) -> dict:
        n = self.db.notices.find_one({"_id": notice_id}, {"out": 0})
        if n is None:
            raise NotFound(f"no supervision notice {notice_id!r}")
        return n

    def notices(self, department: str = "", status: str = "", case_no: str = "", limit: int = 100) -> list[dict]:
        query = {k: v for k, v in (("department", department), ("status", status), ("case_no", case_no)) if v}
        return list(self.db.notices.find(query, {"out": 0}).sort("raised_at", DESCENDING).limit(limit))

    # ratings and follow-ups
    def add_rating(self, rating: dict) -> None:
        try:
            self.db.ratings.insert_one(rating)
        except DuplicateKeyError:
            raise AlreadyDone("this visit or case has already been rated; a rating is given once") from None

    def ratings_between(self, start: date, end: date) -> list[dict]:
        return list(self.db.ratings.find({"rated_on": {"$gte": start.isoformat(), "$lte": end.isoformat()}},
                                         {"comment": 0}))

    def follow_ups(self, department: str, status: str, limit: int) -> list[dict]:
        query = {"follow_up.status": status or {"$in": ["open", "resolved"]}}
        if department:
            query["follow_up.department"] = department
        return [r["follow_up"] for r in self.db.ratings.find(query, {"follow_up": 1}).limit(limit)]

    def follow_up(self, follow_up_id: str) -> dict:
        r = self.db.ratings.find_one({"_id": follow_up_id}, {"follow_up": 1})
        if r is None or not r.get("follow_up"):
            raise NotFound(f"no follow-up {follow_up_id!r}")
        return r["follow_up"]

    def resolve_follow_up(self, follow: dict, changes: dict) -> dict:
        sets = {f"follow_up.{k}": v for k, v in changes.items()}
        if not self.db.ratings.update_one({"_id": follow["_id"], "follow_up.status": "open"},
                                          {"$set": sets}).matched_count:
            raise AlreadyDone(f"follow-up {follow['_id']} was already resolved")
        return {**follow, **changes}
