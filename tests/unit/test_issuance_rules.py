"""The result of a decided case until it is handed over: preparation, the pickup code, the
street-centre hand-over, Art. 44, and who may collect it."""
from datetime import date, datetime, timedelta

import pytest

from hall.domain.clock import SHANGHAI
from hall.domain.errors import AlreadyDone, InvalidArgument, PermissionDenied, Refused, StepOutOfOrder
from hall.domain.events import new_event
from hall.domain.identity import SYSTEM, Actor
from hall.domain.issuance import HALL, Issuance, documents_for
from hall.domain.pickup import PAPER, WrongCode, add_proxy, collect
from hall.catalogue import load_catalogue
from hall.domain.shipment import EmsCarrier
from hall.domain.workdays import WorkCalendar

APPLICANT = {"kind": "person", "name": "王伟", "id_number": "370102198001010015", "phone": "13800000001"}
PROXY_ID = "37010219900101001X"
POSITIONS = ("LX00-I01", "LX00-I02", "LX00-I03", "LX00-I04")
SIG = "ab" * 32
DECIDED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
ISSUER = Actor("issuer-1", "issuer", "LX00")


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.load()


def decided(site="LX00", delivery="pickup", address="", outcome="approved"):
    return new_event("case_decided", f"{site}-20260302-00001", site, DECIDED_AT, SYSTEM.to_dict(),
                     {"outcome": outcome, "applicant": APPLICANT, "delivery": delivery, "address": address})


def prepared(cal, site="LX00", pickup_site="LX00", codes=("123456",), event=None, **kw):
    codes = iter(codes)
    return Issuance.prepare(event or decided(site, **kw), DECIDED_AT, cal, ["准予行政许可决定书"], pickup_site,
                            "出件区", EmsCarrier(load_catalogue().delivery_area), code=lambda: next(codes))


def test_a_result_prepared_at_the_hall_is_queued_with_a_pickup_code_sent_to_the_applicant(cal):
    issuance, events = prepared(cal)
    assert [e.type for e in events] == ["result_ready"]
    assert issuance.status == "ready" and issuance.code_matches("123456")
    [notice] = issuance.fresh
    assert notice.kind == "pickup_code" and notice.code == "123456" and notice.to == APPLICANT["phone"]
    assert "123456" in notice.text and issuance.case_no in notice.text


def test_the_issuance_limit_of_art_44_is_ten_working_days_from_the_decision(cal):
    issuance, events = prepared(cal)
    assert issuance.issue_due == "2026-03-16" == events[0].data["issue_due"]
    assert issuance.days_left(cal, date(2026, 3, 16)) == 0


def test_preparing_the_same_decision_twice_gives_the_same_event_ids(cal):
    event = decided()
    assert [e.id for e in prepared(cal, event=event)[1]] == [e.id for e in prepared(cal, event=event)[1]]


def test_documents_are_the_decision_letter_the_licence_and_the_originals_to_return():
    docs = documents_for({"outcome": "approved"}, "食品经营许可证", [{"name": "营业执照", "count": 1}])
    assert docs == ["准予行政许可决定书", "食品经营许可证", "退还原件：营业执照 ×1"]
    assert documents_for({"outcome": "rejected"}, "食品经营许可证", []) == ["不予行政许可决定书"]


def test_the_applicant_collects_once_with_code_and_id_and_a_signed_receipt(cal):
    issuance, _ = prepared(cal)
    event = collect(issuance, ISSUER, "123456", APPLICANT["id_number"].lower(), "LX00-I02", SIG,
                    DECIDED_AT, POSITIONS)
    assert event.type == "result_issued" and event.data["collected_by"] == "applicant"
    assert issuance.issued["position"] == "LX00-I02" and issuance.issued["signature"] == SIG
    assert issuance.issued["recipient"]["id_number"] == "370102********0015"
    with pytest.raises(AlreadyDone, match="issued once only"):
        collect(issuance, ISSUER, "123456", APPLICANT["id_number"], "LX00-I02", SIG, DECIDED_AT, POSITIONS)


@pytest.mark.parametrize("code, id_number, position, signature, error, message", [
    ("123456", PROXY_ID, "LX00-I01", SIG, PermissionDenied, "neither the applicant"),
    ("123456", APPLICANT["id_number"], "LX00-W01", SIG, InvalidArgument, "not an issuance position"),
    ("123456", APPLICANT["id_number"], "LX00-I01", "", InvalidArgument, "must be signed"),
    ("", APPLICANT["id_number"], "LX00-I01", SIG, InvalidArgument, "both required"),
])
def test_a_wrong_code_person_position_or_signature_is_refused_and_changes_nothing(
        cal, code, id_number, position, signature, error, message):
    issuance, _ = prepared(cal)
    before = issuance.to_doc()
    with pytest.raises(error, match=message):
        collect(issuance, ISSUER, code, id_number, position, signature, DECIDED_AT, POSITIONS)
    assert issuance.to_doc() == before


def test_a_proxy_collects_only_with_a_recorded_valid_authorization(cal):
    issuance, _ = prepared(cal)
    with pytest.raises(InvalidArgument, match="expired"):
        add_proxy(issuance, ISSUER, "李娜", PROXY_ID, "WT-001", "2026-03-01", DECIDED_AT)
    with pytest.raises(InvalidArgument, match="not valid"):
        add_proxy(issuance, ISSUER, "李娜", "370102199001010011", "WT-001", "2026-04-01", DECIDED_AT)
    add_proxy(issuance, ISSUER, "李娜", PROXY_ID, "WT-001", "2026-04-01", DECIDED_AT)
    event = collect(issuance, ISSUER, "123456", PROXY_ID, "LX00-I01", SIG, DECIDED_AT, POSITIONS)
    assert event.data["collected_by"] == "proxy" and issuance.issued["recipient"]["letter"] == "WT-001"


def test_only_issuance_staff_hand_results_over(cal):
    issuance, _ = prepared(cal)
    with pytest.raises(PermissionDenied, match="issuer"):
        collect(issuance, Actor("c1", "clerk", "LX00"), "123456", APPLICANT["id_number"], "LX00-I01",
                SIG, DECIDED_AT, POSITIONS)


def test_a_street_case_travels_with_a_hand_over_and_is_collected_only_at_that_street(cal):
    issuance, events = prepared(cal, site="LX05", pickup_site="LX05")
    assert [e.type for e in events] == ["result_ready", "result_forwarded"]
    sent = {k: v for k, v in events[1].data.items() if k != "result"}
    assert sent == {"stage": "sent", "handover_no": issuance.handover["no"], "from": HALL, "to": "LX05"}
    assert events[1].data["result"]["handover"] == issuance.handover  # for a node of the street's own
    assert issuance.status == "forwarding" and not issuance.fresh  # no code until it has arrived
    street = Actor("issuer-5", "issuer", "LX05")
    with pytest.raises(StepOutOfOrder, match="on its way to LX05"):
        collect(issuance, street, "123456", APPLICANT["id_number"], "LX05-I01", SIG, DECIDED_AT, ("LX05-I01",))
    with pytest.raises(StepOutOfOrder, match="goes to LX05"):
        issuance.receive_handover(ISSUER, DECIDED_AT)
    [received] = issuance.receive_handover(street, DECIDED_AT + timedelta(hours=3), code=lambda: "777777")
    assert received.data["stage"] == "received" and issuance.handover["received_by"]["site"] == "LX05"
    assert issuance.fresh[0].code == "777777"
    with pytest.raises(PermissionDenied, match="collected at LX05"):
        collect(issuance, ISSUER, "777777", APPLICANT["id_number"], "LX00-I01", SIG, DECIDED_AT, POSITIONS)
    collect(issuance, street, "777777", APPLICANT["id_number"], "LX05-I01", PAPER, DECIDED_AT, ("LX05-I01",))
    assert issuance.status == "issued"


def test_stored_and_loaded_an_issuance_is_the_same(cal):
    issuance, _ = prepared(cal)
    assert Issuance.from_doc(issuance.to_doc()).to_doc() == issuance.to_doc()


def test_a_wrong_code_is_counted_and_the_fifth_locks_pickup_by_code(cal):
    issuance, _ = prepared(cal)
    issuance.fresh.clear()
    for n in range(1, 5):
        with pytest.raises(WrongCode, match=f"{5 - n} more wrong code"):
            collect(issuance, ISSUER, "654321", APPLICANT["id_number"], "LX00-I01", SIG, DECIDED_AT, POSITIONS)
        assert issuance.wrong_codes == n and not issuance.code_locked and not issuance.fresh
    with pytest.raises(WrongCode, match="now locked"):
        collect(issuance, ISSUER, "000000", APPLICANT["id_number"], "LX00-I01", SIG, DECIDED_AT, POSITIONS)
    assert issuance.code_locked["attempts"] == 5
    [notice] = issuance.fresh
    assert notice.kind == "code_locked" and notice.to == APPLICANT["phone"] and "已锁定" in notice.text
    # the right code no longer works: no guessing on
    with pytest.raises(Refused, match="locked after 5 wrong codes"):
        collect(issuance, ISSUER, "123456", APPLICANT["id_number"], "LX00-I01", SIG, DECIDED_AT, POSITIONS)
    assert issuance.status == "ready" and issuance.wrong_codes == 5
    assert [h["action"] for h in issuance.history].count("wrong_code") == 5


def test_the_issuer_unlocks_after_checking_the_applicants_identity_with_a_new_code_sent(cal):
    issuance, _ = prepared(cal, codes=("123456", "777777"))
    for _ in range(5):
        with pytest.raises(WrongCode):
            collect(issuance, ISSUER, "654321", APPLICANT["id_number"], "LX00-I01", SIG, DECIDED_AT, POSITIONS)
    issuance.fresh.clear()
    with pytest.raises(PermissionDenied, match="only the applicant's own identity document"):
        issuance.unlock_code(ISSUER, PROXY_ID, "", DECIDED_AT)
    with pytest.raises(PermissionDenied, match="issuer"):
        issuance.unlock_code(Actor("clerk-1", "clerk", "LX00"), APPLICANT["id_number"], "", DECIDED_AT)
    with pytest.raises(PermissionDenied, match="collected at LX00"):
        issuance.unlock_code(Actor("issuer-9", "issuer", "LX03"), APPLICANT["id_number"], "", DECIDED_AT)
    assert issuance.code_locked
    issuance.unlock_code(ISSUER, APPLICANT["id_number"].lower(), "身份证原件核验", DECIDED_AT,
                         code=lambda: "777777")
    unlocked = issuance.history[-1]
    assert unlocked["action"] == "code_unlocked" and unlocked["actor"]["staff_id"] == "issuer-1"
    assert "370102********0015" in unlocked["note"] and APPLICANT["id_number"] not in unlocked["note"]
    [notice] = issuance.fresh
    assert notice.kind == "code_unlocked" and notice.code == "777777"
    assert not issuance.code_matches("123456"), "the old code may be known: it is void"
    with pytest.raises(AlreadyDone, match="not locked"):
        issuance.unlock_code(ISSUER, APPLICANT["id_number"], "", DECIDED_AT)
    collect(issuance, ISSUER, "777777", APPLICANT["id_number"], "LX00-I01", SIG, DECIDED_AT, POSITIONS)
    assert issuance.status == "issued"
