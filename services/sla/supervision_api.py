"""SLA's supervision API (sla-api): case clocks, cases at risk, notices, ratings and follow-ups,
statistics (hall.v1.Supervision). The caller is the one the token names (hall.infra.auth); who
may read which department's figures is the policy module's rule."""
from __future__ import annotations

from datetime import datetime

from hall.domain import case_clock, case_record, evaluation, identity, statistics, supervision, timeline
from hall.domain.clock import SHANGHAI
from hall.domain.errors import InvalidArgument, NotFound
from hall.infra import auth, grpcutil
from hall.v1 import supervision_pb2 as pb, supervision_pb2_grpc
from services.sla import to_pb

RISK_STATES = ("due_soon", "last_day", "overdue", "paused", "on_track")


def _limit(n: int, default: int = 100, most: int = 1000) -> int:
    n = n or default
    if not 0 < n <= most:
        raise InvalidArgument(f"limit must be between 1 and {most}")
    return n


class SupervisionServicer(supervision_pb2_grpc.SupervisionServicer):
    def __init__(self, repo, calendar, cfg):
        self.repo, self.calendar, self.cfg = repo, calendar, cfg

    @grpcutil.unary("sla")
    def GetCaseClock(self, request, context):
        """A case's clocks as of now, recomputed from its timeline, with its notices."""
        events = self.repo.events(request.case_no) if 0 < len(request.case_no) <= 40 else []
        f = case_clock.facts(events)
        if f is None:
            raise NotFound(identity.no_such_case(request.case_no))
        identity.may_see_case(auth.caller(), list(f.departments), request.case_no)
        today = datetime.now(SHANGHAI).date()
        stored = self.repo.clock_record(request.case_no) or {}
        rec = case_record.build(f, self.calendar, today, self.cfg.policy, stored.get("raised"))
        views = timeline.clocks(events, self.calendar, today, self.cfg.policy)
        return to_pb.case_clock(rec, views, self.repo.notices(case_no=request.case_no))

    @grpcutil.unary("sla")
    def ListCasesAtRisk(self, request, context):
        """Open cases of a department in the states asked for, earliest promised date first."""
        states = list(request.states) or ["due_soon", "last_day", "overdue"]
        if any(s not in RISK_STATES for s in states):
            raise InvalidArgument(f"states are {', '.join(RISK_STATES)}")
        department = identity.department_to_read(auth.caller(), request.department, "supervision notices")
        found = self.repo.at_risk(department, states, _limit(request.limit))
        return pb.ListCasesAtRiskResponse(cases=[to_pb.at_risk(r) for r in found])

    @grpcutil.unary("sla")
    def ListNotices(self, request, context):
        if request.status and request.status not in supervision.STATUSES:
            raise InvalidArgument(f"status is one of {', '.join(supervision.STATUSES)}")
        department = identity.department_to_read(auth.caller(), request.department, "supervision notices")
        found = self.repo.notices(department, request.status, request.case_no, _limit(request.limit))
        return pb.ListNoticesResponse(notices=[to_pb.notice(n) for n in found])

    @grpcutil.unary("sla")
    def AcknowledgeNotice(self, request, context):
        """The chief representative (or the office) acknowledges a notice with what is being done."""
        notice = self.repo.notice(request.notice_id)
        changes = supervision.acknowledge(notice, auth.caller(), request.note, datetime.now(SHANGHAI))
        self.repo.change_notice(notice, changes)
        return to_pb.notice({**notice, **changes})

    @grpcutil.unary("sla")
    def RateService(self, request, context):
        """好差评: record a rating once; a bad one opens a follow-up due in working days."""
        actor, r = auth.caller(), request
        now = datetime.now(SHANGHAI)
        record = self.repo.clock_record(r.case_no) if r.case_no else None
        rating = evaluation.rate(actor, r.level, r.comment, r.case_no, r.ticket, r.window, r.staff_id,
                                 r.channel, record, now)
        due = self.calendar.add_working_days(now.date(), self.cfg.follow_up_days)
        rating["follow_up"] = evaluation.follow_up(rating, due, now)
        self.repo.add_rating(rating)
        return to_pb.rating(rating)

    @grpcutil.unary("sla")
    def ListFollowUps(self, request, context):
        if request.status and request.status not in ("open", "resolved"):
            raise InvalidArgument("status is open or resolved")
        department = identity.department_to_read(auth.caller(), request.department, "supervision notices")
        found = self.repo.follow_ups(department, request.status, _limit(request.limit))
        today = datetime.now(SHANGHAI).date().isoformat()
        return pb.ListFollowUpsResponse(follow_ups=[to_pb.follow_up(f, today) for f in found])

    @grpcutil.unary("sla")
    def ResolveFollowUp(self, request, context):
        actor, r = auth.caller(), request
        follow = self.repo.follow_up(r.follow_up_id)
        changes = evaluation.resolve(follow, actor, r.note, datetime.now(SHANGHAI))
        done = self.repo.resolve_follow_up(follow, changes)
        return to_pb.follow_up(done, datetime.now(SHANGHAI).date().isoformat())

    def _rows(self, request) -> list[dict]:
        request.key = identity.statistics_key(auth.caller(), request.group_by, request.key)
        by = statistics.dimension(request.group_by)
        start, end = statistics.date_range(request.from_date, request.to_date)
        return statistics.summarize(self.repo.records_between(start, end),
                                    self.repo.ratings_between(start, end), by, request.key)

    @grpcutil.unary("sla")
    def GetStatistics(self, request, context):
        """监督考核 figures for cases accepted (and ratings given) in the range."""
        rows = self._rows(request)
        return pb.StatisticsResponse(group_by=request.group_by, from_date=request.from_date,
                                     to_date=request.to_date, rows=[to_pb.statistics_row(r) for r in rows])

    @grpcutil.unary("sla")
    def ExportStatistics(self, request, context):
        rows = self._rows(request)
        name = f"statistics-{request.group_by}-{request.from_date}-{request.to_date}.csv"
        return pb.StatisticsCsv(filename=name, content=statistics.to_csv(rows, request.group_by).encode("utf-8"))
