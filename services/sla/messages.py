"""The SLA's messages: requests decoded, a case as tracked and the supervision records as
protobuf messages (protobuf stays at the edge; common.proto's pieces are hall.infra.convert's)."""
from __future__ import annotations

from hall.domain import timeline
from hall.domain.errors import InvalidArgument
from hall.domain.timeline import deadline_view
from hall.infra import convert
from hall.v1 import common_pb2, supervision_pb2 as pb


def limit(n: int, default: int = 100, most: int = 1000) -> int:
    """A list's limit as asked (0: the default), checked."""
    n = n or default
    if not 0 < n <= most:
        raise InvalidArgument(f"limit must be between 1 and {most}")
    return n


def rating_request(r: pb.RateServiceRequest) -> dict:
    return dict(level=r.level, comment=r.comment, case_no=r.case_no, ticket=r.ticket, window=r.window,
                staff_id=r.staff_id, channel=r.channel)


def case_view(case_no: str, site: str, v: dict) -> common_pb2.CaseView:
    """A case as the SLA tracks it (hall.domain.timeline.build_view)."""
    return common_pb2.CaseView(
        case_no=case_no, site=site, status=v["status"],
        item_code=v.get("item_code", ""), item_name=v.get("item_name", ""),
        departments=v["departments"], outcome=v["outcome"],
        applicant=convert.applicant_to_pb(v.get("applicant", {})),
        accepted_at=v.get("accepted_at", ""), catalogue_version=v.get("catalogue_version", ""),
        delivery=convert.DELIVERY_PB[v.get("delivery", "pickup")],
        promised=convert.deadline_to_pb(v.get("promised")), legal=convert.deadline_to_pb(v.get("legal")),
        history=[convert.history_to_pb(e, timeline.summary(e)) for e in v["history"]])


def _s(v) -> str:
    return v.isoformat() if hasattr(v, "isoformat") else (v or "")


def watch(w: dict) -> pb.WatchedClock:
    return pb.WatchedClock(key=w["key"], department=w["department"], limit_days=w["limit_days"],
                           extension_days=w["extension_days"], due_date=w["due_date"],
                           days_left=w["days_left"], status=w["status"], done_on=w["done_on"] or "",
                           estimated=w["estimated"], paused=w["paused"])


def case_clock(rec: dict, views: dict, notices: list[dict]) -> pb.CaseClock:
    return pb.CaseClock(
        case_no=rec["case_no"], site=rec["site"], item_code=rec["item_code"], item_name=rec["item_name"],
        joint=rec["joint"], departments=rec["departments"], accepted_on=rec["accepted_on"],
        state=rec["state"], promised=convert.deadline_to_pb(deadline_view(views["decision"])),
        legal=convert.deadline_to_pb(deadline_view(views["legal"])),
        steps=[watch(views[w["key"]]) for w in rec["watches"]],
        pauses=[pb.ClockPause(kind=p["kind"], department=p["department"], started_on=p["started_on"],
                              ended_on=p["ended_on"] or "", note=p["note"] or "") for p in rec["pauses"]],
        extensions=[pb.ClockExtension(department=x["department"], days=x["days"], reason=x["reason"],
                                      approved_by=str(x["approved_by"]), granted_on=x["on"],
                                      scope=x.get("scope", ""))
                    for x in rec["extensions"]],
        extension_days=rec["extension_days"], extension_capped=rec["extension_capped"],
        working_days=rec["working_days"] or 0, decided_on=rec["decided_on"] or "",
        issued_on=rec["issued_on"] or "", supplements=rec["supplements"], visits=rec["visits"],
        notices=[notice(n) for n in notices])


def at_risk(r: dict) -> pb.CaseAtRisk:
    return pb.CaseAtRisk(case_no=r["_id"], site=r["site"], item_code=r["item_code"],
                         item_name=r["item_name"], departments=r["departments"], state=r["state"],
                         due_date=r["due"], legal_due_date=r["legal_due"], paused=r["paused"])


def notice(n: dict) -> pb.SupervisionNotice:
    ack = n.get("acknowledged") or {}
    return pb.SupervisionNotice(notice_id=n["_id"], case_no=n["case_no"], site=n["site"], department=n["department"],
                     watch=n["watch"], level=n["level"], due_date=n["due_date"],
                     to_staff_id=n["to"]["staff_id"], to_name=n["to"]["name"], text=n["text"],
                     raised_at=_s(n["raised_at"]), status=n["status"], escalated_at=_s(n.get("escalated_at")),
                     escalated_to=n.get("escalated_to") or "",
                     acknowledged_by=(ack.get("by") or {}).get("staff_id", ""),
                     acknowledged_at=_s(ack.get("at")), note=ack.get("note", ""))


def rating(r: dict) -> pb.ServiceRating:
    fu = r.get("follow_up") or {}
    return pb.ServiceRating(rating_id=r["_id"], case_no=r["case_no"], ticket=r["ticket"], window=r["window"],
                     staff_id=r["staff"], site=r["site"], department=r["department"],
                     item_code=r["item_code"], level=r["level"], label=r["label"], comment=r["comment"],
                     channel=r["channel"], rated_at=_s(r["rated_at"]), follow_up_opened=bool(fu),
                     fix_due=fu.get("fix_due", ""))


def follow_up(f: dict, today: str) -> pb.RatingFollowUp:
    res = f.get("resolved") or {}
    return pb.RatingFollowUp(follow_up_id=f["_id"], case_no=f["case_no"], ticket=f["ticket"],
                       department=f["department"], site=f["site"], window=f["window"], staff_id=f["staff"],
                       level=f["level"], comment=f["comment"], opened_at=_s(f["opened_at"]),
                       fix_due=f["fix_due"], status=f["status"],
                       overdue=f["status"] == "open" and today > f["fix_due"],
                       resolved_by=(res.get("by") or {}).get("staff_id", ""), resolved_at=_s(res.get("at")),
                       note=res.get("note", ""), resolved_late=bool(res.get("late")))


def statistics(request, rows: list[dict]) -> pb.StatisticsResponse:
    return pb.StatisticsResponse(group_by=request.group_by, from_date=request.from_date, to_date=request.to_date,
                                 rows=[pb.StatisticsRow(**r) for r in rows])


def statistics_csv(request, content: str) -> pb.StatisticsCsv:
    name = f"statistics-{request.group_by}-{request.from_date}-{request.to_date}.csv"
    return pb.StatisticsCsv(filename=name, content=content.encode("utf-8"))
