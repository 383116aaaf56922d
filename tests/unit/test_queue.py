"""自动取号 rules: which sector a ticket is for, caps with a warning, who calls what, order,
steps and the live counts."""
from __future__ import annotations

import pytest

from hall.catalogue import load_catalogue
from hall.domain import queueing
from hall.domain.errors import InvalidArgument, PermissionDenied, Refused, StepOutOfOrder
from hall.domain.identity import Actor

CAT = load_catalogue()
CLERK = Actor("c1", "clerk", "LX00")


def test_an_item_ticket_goes_to_the_items_sector_and_only_where_the_item_is_accepted():
    item = CAT.item("QR02201000-370102-SCJG")
    assert queueing.resolve_sector(CAT, CAT.site("LX00"), "", item.code) == "商事登记"
    with pytest.raises(Refused, match="not accepted"):
        queueing.resolve_sector(CAT, CAT.site("LX05"), "", item.code)
    with pytest.raises(InvalidArgument, match="belongs to sector"):
        queueing.resolve_sector(CAT, CAT.site("LX00"), "经济发展", item.code)


def test_a_sector_ticket_needs_a_window_of_that_sector_at_the_site():
    assert queueing.resolve_sector(CAT, CAT.site("LXSB"), "社保就业", "") == "社保就业"
    with pytest.raises(InvalidArgument, match="has no window"):
        queueing.resolve_sector(CAT, CAT.site("LXSB"), "商事登记", "")
    with pytest.raises(InvalidArgument, match="sector or an item"):
        queueing.resolve_sector(CAT, CAT.site("LX00"), "", "")


def test_the_cap_warns_from_nine_tenths_and_refuses_once_reached():
    assert queueing.check_cap(0, 60, "城市建设") == ""
    assert queueing.check_cap(52, 60, "城市建设") == ""
    assert "only 6 ticket(s) left" in queueing.check_cap(53, 60, "城市建设")
    assert "only 0 ticket(s) left" in queueing.check_cap(59, 60, "城市建设")
    with pytest.raises(Refused, match="all taken"):
        queueing.check_cap(60, 60, "城市建设")


def test_caps_come_by_site_kind_with_sector_overrides():
    caps = queueing.Caps({"hall": 300, "street": 60}, {"商事登记": 500})
    assert (caps.cap("hall", "经济发展"), caps.cap("street", "经济发展"), caps.cap("hall", "商事登记")) == (300, 60, 500)


def test_a_clerk_calls_only_at_a_front_window_of_their_own_site_for_its_sectors():
    assert queueing.window_sectors(CAT, CLERK, "LX00-W29") == ("经济发展", "城市建设", "社会服务", "社保就业")
    with pytest.raises(PermissionDenied):
        queueing.window_sectors(CAT, CLERK, "LX03-W01")
    with pytest.raises(InvalidArgument, match="not a front window"):
        queueing.window_sectors(CAT, CLERK, "LX00-C01")
    with pytest.raises(PermissionDenied):
        queueing.window_sectors(CAT, Actor("i1", "issuer", "LX00"), "LX00-W01")


def ticket(id_, status="waiting", priority=0, queued="2026-03-10T09:00:00+08:00", sector="经济发展", **kw):
    return {"_id": id_, "number": id_, "site": "LX00", "status": status, "priority_rank": priority,
            "queued_at": queued, "taken_at": queued, "sector": sector, "origin": sector, **kw}


def test_the_green_channel_comes_first_then_the_earliest():
    tickets = [ticket("A1", queued="2026-03-10T09:00:00+08:00"), ticket("A2", priority=1, queued="2026-03-10T09:05:00+08:00"),
               ticket("A3", queued="2026-03-10T08:59:00+08:00")]
    assert [t["_id"] for t in sorted(tickets, key=queueing.call_order)] == ["A2", "A3", "A1"]


def test_steps_need_a_called_ticket_at_the_clerks_site():
    with pytest.raises(StepOutOfOrder, match="needs a called ticket"):
        queueing.check_step(ticket("A1"), "recall", CLERK)
    with pytest.raises(PermissionDenied):
        queueing.check_step({**ticket("A1", "called"), "site": "LX02"}, "recall", CLERK)
    with pytest.raises(InvalidArgument, match="no such ticket"):
        queueing.check_step(None, "finish", CLERK)
    queueing.check_step(ticket("A1", "called"), "no_show", CLERK)


def test_live_counts_and_the_average_wait_until_first_called():
    tickets = [ticket("A1", "called", first_called_at="2026-03-10T09:10:00+08:00"),
               ticket("A2", "served", first_called_at="2026-03-10T09:20:00+08:00"),
               ticket("A3", priority=1), ticket("A4", "no_show", first_called_at="2026-03-10T09:30:00+08:00"),
               {**ticket("B1", sector="经济发展"), "origin": "商事登记"}]  # transferred in from 商事登记
    s = queueing.sector_stats(tickets, "经济发展", 10)
    assert (s["waiting"], s["priority_waiting"], s["called"], s["served"], s["no_show"]) == (2, 1, 1, 1, 1)
    assert s["average_wait_minutes"] == 20.0 and s["taken"] == 4 and s["remaining"] == 6
    assert queueing.sector_stats(tickets, "商事登记", 10)["taken"] == 1
