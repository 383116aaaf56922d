"""A result decided at the district for a case accepted at a street centre with a node of its
own: it travels down with everything the centre needs, is stored there once, signed for and
handed over at the centre's position; the district's copy then records the hand-over."""
from __future__ import annotations

from hall.domain.events import Event
from hall.domain.identity import Actor
from services.delivery import handlers
from tests.unit.test_delivery_handlers import APPLICANT, decided, uow

ISSUER_LX03 = Actor("LX03-F01", "issuer", "LX03")


def forwarded_from_district(n=1):
    district = uow()
    handlers.prepare_result(district, decided(n, site="LX03"))
    sent = [Event.from_dict(e) for e in district.outbox.published if e["type"] == "result_forwarded"]
    return district, sent


def test_a_result_forwarded_to_a_street_centre_carries_what_its_node_needs_and_is_stored_there_once():
    _, [sent] = forwarded_from_district()
    assert sent.data["to"] == "LX03" and sent.data["result"]["applicant"] == APPLICANT
    node = uow()
    assert handlers.receive_forwarded(node, sent, "LX03")
    assert not handlers.receive_forwarded(node, sent, "LX03")  # redelivered after a cut
    at_node = node.repo.get(sent.case_no)
    assert (at_node.status, at_node.pickup_site, at_node.handover["no"]) == ("forwarding", "LX03", sent.data["handover_no"])


def test_another_site_s_result_is_not_stored_at_a_node():
    _, [sent] = forwarded_from_district()
    node = uow()
    assert not handlers.receive_forwarded(node, sent, "LX05")
    assert node.repo.queue("LX03", 10) == [] and node.repo.queue("LX05", 10) == []


def test_signed_for_and_collected_at_the_node_and_noted_issued_by_the_district():
    district, [sent] = forwarded_from_district()
    node = uow()
    handlers.receive_forwarded(node, sent, "LX03")
    handlers.receive_handover(node, ISSUER_LX03, sent.case_no)
    [code] = [n.code for n in node.repo.notifier.messages.values() if n.code]
    handlers.collect(node, ISSUER_LX03, sent.case_no, code, APPLICANT["id_number"], "LX03-I01", "ab" * 32)
    [issued] = [Event.from_dict(e) for e in node.outbox.published if e["type"] == "result_issued"]
    assert handlers.note_issued_at_centre(district, issued)
    assert not handlers.note_issued_at_centre(district, issued)  # the same event again
    at_district = district.repo.get(sent.case_no)
    assert at_district.status == "issued" and at_district.issued["position"] == "LX03-I01"
    assert at_district.history[-1]["action"] == "issued_at_centre"
