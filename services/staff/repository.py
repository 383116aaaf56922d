"""The staff service's own database: the directory (`members`), its change log
(`staff_changes`) and the signed-in sessions (`sessions`). Times are stored as Asia/Shanghai
ISO strings, which sort as the times do."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from hall.domain.clock import SHANGHAI
from hall.domain.staff import Change, Member, Session, StaffRepository, from_iso, iso


class MongoStaffRepository(StaffRepository):
    COLLECTIONS = ("members", "staff_changes", "sessions")

    def __init__(self, db):
        self.db = db
        db.members.create_index([("site", ASCENDING)])
        db.members.create_index([("active", ASCENDING)])
        db.staff_changes.create_index([("staff_id", ASCENDING), ("at", DESCENDING)])
        db.staff_changes.create_index([("at", DESCENDING)])
        db.sessions.create_index([("staff_id", ASCENDING)])
        db.sessions.create_index([("ended", ASCENDING), ("expires", ASCENDING)])

    def get(self, staff_id: str) -> Member | None:
        doc = self.db.members.find_one({"_id": staff_id})
        return _member(doc) if doc else None

    def add(self, member: Member) -> bool:
        try:
            self.db.members.insert_one(_member_doc(member))
        except DuplicateKeyError:
            return False
        return True

    def save(self, member: Member) -> bool:
        doc = {**_member_doc(member), "rev": member.rev + 1}
        if self.db.members.replace_one({"_id": member.staff_id, "rev": member.rev}, doc).matched_count != 1:
            return False
        member.rev += 1
        return True

    def list(self, site: str = "", department: str = "", role: str = "",
             include_inactive: bool = False) -> list[Member]:
        query = {k: v for k, v in (("site", site), ("department", department), ("roles", role)) if v}
        if not include_inactive:
            query["active"] = True
        return [_member(d) for d in self.db.members.find(query).sort("_id", ASCENDING)]

    def record(self, change: Change) -> None:
        self.db.staff_changes.insert_one({"staff_id": change.staff_id, "by": change.by,
                                          "at": iso(change.at), "what": change.what,
                                          "fields": dict(change.fields)})

    def changes(self, staff_id: str = "", limit: int = 50) -> list[Change]:
        query = {"staff_id": staff_id} if staff_id else {}
        docs = self.db.staff_changes.find(query).sort([("at", DESCENDING), ("_id", DESCENDING)]).limit(limit)
        return [Change(d["staff_id"], d["by"], from_iso(d["at"]), d["what"], d.get("fields") or {})
                for d in docs]

    def open_session(self, session: Session) -> None:
        self.db.sessions.insert_one({"_id": session.sid, "staff_id": session.staff_id,
                                     "role": session.role, "started": iso(session.started),
                                     "expires": iso(session.expires), "ended": False,
                                     "ended_at": "", "end_reason": ""})

    def session(self, sid: str) -> Session | None:
        d = self.db.sessions.find_one({"_id": sid})
        if d is None:
            return None
        return Session(d["_id"], d["staff_id"], d["role"], from_iso(d["started"]),
                       from_iso(d["expires"]), from_iso(d["ended_at"]), d["end_reason"])

    def end_session(self, sid: str, at: datetime, reason: str) -> bool:
        r = self.db.sessions.update_one({"_id": sid, "ended": False}, {"$set": _ended(at, reason)})
        return r.modified_count == 1

    def end_sessions_of(self, staff_id: str, at: datetime, reason: str) -> list[str]:
        sids = [d["_id"] for d in self.db.sessions.find({"staff_id": staff_id, "ended": False}, {"_id": 1})]
        if sids:
            self.db.sessions.update_many({"_id": {"$in": sids}, "ended": False}, {"$set": _ended(at, reason)})
        return sids

    def revocations(self, now: datetime | None = None) -> tuple[list[str], list[str]]:
        now = now or datetime.now(SHANGHAI)
        sids = [d["_id"] for d in self.db.sessions.find({"ended": True, "expires": {"$gt": iso(now)}}, {"_id": 1})]
        staff = [d["_id"] for d in self.db.members.find({"active": False}, {"_id": 1})]
        return sorted(sids), sorted(staff)


def _ended(at: datetime, reason: str) -> dict:
    return {"ended": True, "ended_at": iso(at), "end_reason": reason}


def _member_doc(m: Member) -> dict:
    return {"_id": m.staff_id, "name": m.name, "roles": list(m.roles), "site": m.site,
            "department": m.department, "sectors": list(m.sectors), "windows": list(m.windows),
            "active": m.active, "password_hash": m.password_hash, "totp_secret": m.totp_secret,
            "totp_enabled": m.totp_enabled, "totp_last_step": m.totp_last_step,
            "failed_attempts": m.failed_attempts, "locked_until": iso(m.locked_until),
            "created_at": iso(m.created_at), "updated_at": iso(m.updated_at), "rev": m.rev}


def _member(d: dict) -> Member:
    return Member(staff_id=d["_id"], name=d["name"], roles=tuple(d["roles"]), site=d["site"],
                  department=d.get("department", ""), sectors=tuple(d.get("sectors", ())),
                  windows=tuple(d.get("windows", ())), active=d["active"],
                  password_hash=d.get("password_hash", ""), totp_secret=d.get("totp_secret", ""),
                  totp_enabled=d.get("totp_enabled", False), totp_last_step=d.get("totp_last_step", 0),
                  failed_attempts=d.get("failed_attempts", 0), locked_until=from_iso(d.get("locked_until")),
                  created_at=from_iso(d.get("created_at")), updated_at=from_iso(d.get("updated_at")),
                  rev=d.get("rev", 0))
