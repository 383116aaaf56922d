"""叫号屏: each window's latest call and the waiting counts, ticket numbers only."""
from hall.domain.queueing import call_board


def ticket(number, status, sector="经济发展", window="", called_at="", **more):
    return {"number": number, "status": status, "sector": sector, "window": window,
            "called_at": called_at, "phone": "13800000000", "case_no": "LX00-x", **more}


def test_the_board_shows_each_windows_latest_call_newest_first_and_the_waiting_per_sector():
    tickets = [ticket("A001", "called", window="W01", called_at="2026-12-03T09:00:00"),
               ticket("A002", "called", window="W01", called_at="2026-12-03T09:05:00", recalls=1),
               ticket("B001", "called", "商事登记", window="W02", called_at="2026-12-03T09:03:00"),
               ticket("A003", "waiting"), ticket("A004", "waiting"), ticket("B002", "waiting", "商事登记"),
               ticket("A000", "served", window="W03", called_at="2026-12-03T08:00:00")]
    calls, sectors = call_board(tickets, ["经济发展", "商事登记", "社会服务"])
    assert calls == [{"number": "A002", "window": "W01", "called_at": "2026-12-03T09:05:00", "recalls": 1},
                     {"number": "B001", "window": "W02", "called_at": "2026-12-03T09:03:00", "recalls": 0}]
    assert sectors == [{"sector": "经济发展", "waiting": 2}, {"sector": "商事登记", "waiting": 1},
                       {"sector": "社会服务", "waiting": 0}]


def test_nothing_but_the_number_and_window_of_a_call_reaches_the_board():
    calls, _ = call_board([ticket("A001", "called", window="W01", called_at="t")], [])
    assert set(calls[0]) == {"number", "window", "called_at", "recalls"}
