"""自动取号 through the gateway: tickets, calling by the window's sectors, green channel,
recall / no-show / transfer / finish, live counts, daily caps, and no ticket called twice."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc

from hall.v1 import frontdesk_pb2 as fd
from tests.integration.test_front_desk import SETUP, Desk, code_of, complete, submission
from hall.tools.sample import company


def take(kiosk, site, sector="", item="", priority="", key=None):
    return kiosk.TakeTicket(fd.TakeTicketRequest(idempotency_key=key or uuid.uuid4().hex, site=site,
                                                 sector=sector, item_code=item, priority=priority))


def test_two_windows_calling_at_once_never_get_the_same_ticket(hall):
    kiosk, site = Desk(hall, "system", site="LX02"), "LX02"
    taken = {take(kiosk, site, "社会服务").id for _ in range(12)}
    windows = [Desk(hall, "clerk", site=site, staff_id=f"c{i}") for i in (1, 2)] * 4

    def call(i):
        got = []
        w = windows[i]
        for _ in range(4):
            try:
                got.append(w.CallNext(fd.CallNextRequest(window=f"LX02-W0{i % 2 + 1}")).id)
            except grpc.RpcError as exc:
                assert exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION)
        return got

    with ThreadPoolExecutor(8) as pool:
        called = [t for got in pool.map(call, range(8)) for t in got]
    assert len(called) == len(set(called))          # nobody called twice
    assert set(called) <= taken
    assert hall.db("intake").tickets.count_documents({"site": site, "status": "called"}) == len(called)


def test_the_green_channel_is_called_first_and_a_window_serves_only_its_sectors(hall):
    kiosk, site = Desk(hall, "system", site="LX03"), "LX03"
    plain = take(kiosk, site, "经济发展")
    elderly = take(kiosk, site, "经济发展", priority="elderly")
    assert elderly.waiting_ahead == 0 and plain.number.startswith("A")
    clerk = Desk(hall, "clerk", site=site)
    assert clerk.CallNext(fd.CallNextRequest(window="LX03-W01")).id == elderly.id
    assert clerk.CallNext(fd.CallNextRequest(window="LX03-W01")).id == plain.id
    code, msg = code_of(lambda: clerk.CallNext(fd.CallNextRequest(window="LX00-W01")))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    hall_kiosk = Desk(hall, "system", site="LX00")
    t = take(hall_kiosk, "LX00", "商事登记")
    code, _ = code_of(lambda: Desk(hall, "clerk").CallNext(fd.CallNextRequest(window="LX00-W01")))
    assert code == grpc.StatusCode.NOT_FOUND or \
        hall.db("intake").tickets.find_one({"_id": t.id})["status"] == "waiting"


def test_recall_no_show_transfer_and_a_ticket_linked_to_the_case_it_led_to(hall, catalogue):
    site, kiosk, clerk = "LX04", Desk(hall, "system", site="LX04"), Desk(hall, "clerk", site="LX04")
    a = take(kiosk, site, item=next(i.code for i in catalogue.items.values()
                                    if i.street_allowed and i.sector == "社会服务" and not i.classified))
    assert a.sector == "社会服务"
    again = take(kiosk, site, "社会服务", key="lx04-press-1")
    assert take(kiosk, site, "社会服务", key="lx04-press-1").id == again.id  # a repeated press
    t = clerk.CallNext(fd.CallNextRequest(window="LX04-W01"))
    assert clerk.RecallTicket(fd.TicketRequest(ticket_id=t.id)).recalls == 1
    assert clerk.MarkNoShow(fd.TicketRequest(ticket_id=t.id)).status == "no_show"
    code, _ = code_of(lambda: clerk.RecallTicket(fd.TicketRequest(ticket_id=t.id)))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    u = clerk.CallNext(fd.CallNextRequest(window="LX04-W01"))
    moved = clerk.TransferTicket(fd.TransferTicketRequest(ticket_id=u.id, sector="商事登记", reason="办营业执照"))
    assert (moved.status, moved.sector, moved.transferred_from) == ("waiting", "商事登记", "社会服务")
    v = clerk.CallNext(fd.CallNextRequest(window="LX04-W02"))
    assert v.id == u.id and v.sector == "商事登记"
    item = catalogue.item(next(i.code for i in catalogue.items.values()
                               if i.street_allowed and i.sector == "商事登记" and not i.classified
                               and len(i.departments) == 1))
    r = clerk.SubmitApplication(submission(item, company(), complete(item), ticket_id=v.id))
    assert r.result == "accepted"
    linked = hall.db("intake").tickets.find_one({"_id": v.id})
    assert (linked["status"], linked["case_no"]) == ("served", r.case_no)
    status = {s.sector: s for s in clerk.QueueStatus(fd.QueueStatusRequest()).sectors}
    assert status["社会服务"].no_show == 1 and status["社会服务"].taken == 2  # the repeated press made no ticket
    assert status["商事登记"].served == 1 and status["社会服务"].average_wait_minutes >= 0


def test_a_sector_warns_before_its_daily_cap_and_refuses_past_it(hall):
    site, kiosk = "LX13", Desk(hall, "system", site="LX13")
    tickets = [take(kiosk, site, "城市建设") for _ in range(60)]   # street centres: 60 a day
    assert not tickets[0].warning and tickets[53].warning and "6 ticket(s) left" in tickets[53].warning
    code, msg = code_of(lambda: take(kiosk, site, "城市建设"))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "all taken" in msg
    status = {s.sector: s for s in kiosk.QueueStatus(fd.QueueStatusRequest(site=site)).sectors}
    assert status["城市建设"].remaining == 0 and status["城市建设"].warning
    assert status["城市建设"].waiting == 60 and status["经济发展"].taken == 0
    assert hall.db("intake").tickets.count_documents({"site": site}) == 60


def test_bad_ticket_requests_are_refused_and_create_nothing(hall):
    kiosk = Desk(hall, "system", site="LX05")
    before = hall.db("intake").tickets.count_documents({})
    for req, words in [(dict(sector="火星板块"), "unknown sector"), (dict(sector="经济发展", priority="vip"), "priority"),
                       (dict(item="XK00000000-370102-NONE"), "unknown item"), (dict(), "sector or an item"),
                       (dict(item=SETUP), "not accepted")]:
        code, msg = code_of(lambda: take(kiosk, "LX05", **req))
        assert words in msg, msg
    code, _ = code_of(lambda: Desk(hall, "reviewer", department="SCJG").TakeTicket(
        fd.TakeTicketRequest(idempotency_key="x", sector="经济发展")))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert hall.db("intake").tickets.count_documents({}) == before
