"""The SLA's supervision records as protobuf messages (protobuf stays at the edge)."""
from __future__ import annotations

from hall.domain.timeline import deadline_view
from hall.infra import convert
from hall.v1 import supervision_pb2 as pb


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


def statistics_row(r: dict) -> pb.StatisticsRow:
    return pb.StatisticsRow(**r)
