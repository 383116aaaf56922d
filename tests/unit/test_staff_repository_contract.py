"""One contract for the staff repository, run against the in-memory fake here and against the
real MongoDB-protocol server in tests/integration/test_staff_repository.py, so the fake the
handler tests use cannot drift from the real thing."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from hall.domain.clock import SHANGHAI
from hall.domain.staff import Change, Member, Session, StaffRepository

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


class InMemoryStaffRepository(StaffRepository):
    """The fake: the same port, kept in dicts; members are copied in and out like a database."""

    def __init__(self):
        self.members: dict[str, Member] = {}
        self.change_log: list[Change] = []
        self.sessions: dict[str, Session] = {}

    def get(self, staff_id):
        m = self.members.get(staff_id)
        return copy.deepcopy(m) if m else None

    def add(self, member):
        if member.staff_id in self.members:
            return False
        self.members[member.staff_id] = copy.deepcopy(member)
        return True

    def save(self, member):
        stored = self.members.get(member.staff_id)
        if stored is None or stored.rev != member.rev:
            return False
        member.rev += 1
        self.members[member.staff_id] = copy.deepcopy(member)
        return True

    def list(self, site="", department="", role="", include_inactive=False):
        return [copy.deepcopy(m) for _, m in sorted(self.members.items())
                if (not site or m.site == site) and (not department or m.department == department)
                and (not role or role in m.roles) and (include_inactive or m.active)]

    def record(self, change):
        self.change_log.append(change)

    def changes(self, staff_id="", limit=50):
        mine = [c for c in self.change_log if not staff_id or c.staff_id == staff_id]
        return sorted(reversed(mine), key=lambda c: c.at, reverse=True)[:limit]

    def open_session(self, session):
        self.sessions[session.sid] = copy.deepcopy(session)

    def session(self, sid):
        s = self.sessions.get(sid)
        return copy.deepcopy(s) if s else None

    def end_session(self, sid, at, reason):
        s = self.sessions.get(sid)
        if s is None or s.ended_at is not None:
            return False
        s.ended_at, s.end_reason = at, reason
        return True

    def end_sessions_of(self, staff_id, at, reason):
        ended = [s.sid for s in self.sessions.values() if s.staff_id == staff_id and s.ended_at is None]
        for sid in ended:
            self.end_session(sid, at, reason)
        return ended

    def revocations(self, now=None):
        now = now or datetime.now(SHANGHAI)
        return (sorted(s.sid for s in self.sessions.values() if s.revoked(now)),
                sorted(m.staff_id for m in self.members.values() if not m.active))


def member(staff_id="LX00-C01", **kw) -> Member:
    base = dict(name="李文静", roles=("clerk",), site="LX00", sectors=("商事登记",),
                windows=("LX00-W09",), created_at=NOW, updated_at=NOW)
    return Member(staff_id, **{**base, **kw})


class StaffRepositoryContract:
    """Subclasses give a `repo` fixture: an empty repository of their kind."""

    def test_a_member_added_reads_back_the_same(self, repo):
        m = member(password_hash="$argon2id$x", totp_secret="ABC", locked_until=NOW + timedelta(minutes=15))
        assert repo.add(m)
        got = repo.get("LX00-C01")
        assert got == m and got.locked_until == NOW + timedelta(minutes=15)
        assert repo.get("nobody") is None

    def test_an_id_is_added_once(self, repo):
        assert repo.add(member())
        assert not repo.add(member(name="别人"))
        assert repo.get("LX00-C01").name == "李文静"

    def test_a_save_after_someone_else_s_save_is_refused(self, repo):
        repo.add(member())
        first, second = repo.get("LX00-C01"), repo.get("LX00-C01")
        first.failed_attempts = 1
        assert repo.save(first) and first.rev == 1
        second.name = "晚到者"
        assert not repo.save(second)
        got = repo.get("LX00-C01")
        assert (got.failed_attempts, got.name, got.rev) == (1, "李文静", 1)

    def test_listing_filters_by_site_department_role_and_activity(self, repo):
        repo.add(member("LX00-C01"))
        repo.add(member("LX03-C01", site="LX03"))
        repo.add(member("LX-SYJ-R01", roles=("reviewer",), department="SYJ", sectors=(), windows=()))
        repo.add(member("LX-SYJ-01", roles=("chief", "reviewer"), department="SYJ", sectors=(), windows=()))
        repo.add(member("LX00-C02", active=False))
        assert [m.staff_id for m in repo.list()] == ["LX-SYJ-01", "LX-SYJ-R01", "LX00-C01", "LX03-C01"]
        assert [m.staff_id for m in repo.list(site="LX03")] == ["LX03-C01"]
        assert [m.staff_id for m in repo.list(role="reviewer")] == ["LX-SYJ-01", "LX-SYJ-R01"]
        assert [m.staff_id for m in repo.list(department="SYJ", role="chief")] == ["LX-SYJ-01"]
        assert "LX00-C02" in [m.staff_id for m in repo.list(include_inactive=True)]

    def test_changes_come_latest_first_per_member_or_all(self, repo):
        for i, what in enumerate(["added", "password set", "signed in"]):
            repo.record(Change("LX00-C01", "admin", NOW + timedelta(seconds=i), what, {"n": i}))
        repo.record(Change("LX00-C02", "system", NOW + timedelta(seconds=5), "added", {"roles": ["clerk"]}))
        assert [c.what for c in repo.changes("LX00-C01")] == ["signed in", "password set", "added"]
        assert [c.staff_id for c in repo.changes(limit=2)] == ["LX00-C02", "LX00-C01"]
        latest = repo.changes("LX00-C02")[0]
        assert (latest.by, latest.at, latest.fields) == ("system", NOW + timedelta(seconds=5), {"roles": ["clerk"]})

    def test_a_session_ends_once_and_is_revoked_until_it_expires(self, repo):
        s = Session("sid-1", "LX00-C01", "clerk", NOW, NOW + timedelta(hours=9))
        repo.open_session(s)
        assert repo.session("sid-1") == s and repo.revocations(NOW) == ([], [])
        assert repo.end_session("sid-1", NOW + timedelta(hours=1), "signed out")
        assert not repo.end_session("sid-1", NOW + timedelta(hours=2), "signed out")
        assert repo.session("sid-1").end_reason == "signed out"
        assert repo.revocations(NOW + timedelta(hours=2)) == (["sid-1"], [])
        assert repo.revocations(NOW + timedelta(hours=10)) == ([], [])

    def test_a_member_s_open_sessions_end_together_and_deactivation_revokes_the_id(self, repo):
        repo.add(member(active=False))
        for sid in ("a", "b"):
            repo.open_session(Session(sid, "LX00-C01", "clerk", NOW, NOW + timedelta(hours=9)))
        repo.open_session(Session("c", "LX00-C02", "clerk", NOW, NOW + timedelta(hours=9)))
        assert sorted(repo.end_sessions_of("LX00-C01", NOW, "deactivated")) == ["a", "b"]
        assert repo.end_sessions_of("LX00-C01", NOW, "deactivated") == []
        assert repo.revocations(NOW + timedelta(minutes=1)) == (["a", "b"], ["LX00-C01"])


class TestInMemoryStaffRepository(StaffRepositoryContract):
    @pytest.fixture
    def repo(self):
        return InMemoryStaffRepository()
