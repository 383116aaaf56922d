"""The rules every request meets at a service's edge (protos/hall/v1/rules.proto applied by
hall.infra.edge with hall.domain.inputs): each bad field named, each good request passed."""
import pytest

from hall.catalogue import load_catalogue
from hall.domain.contact import is_phone
from hall.domain.errors import InvalidArgument, quote
from hall.infra import edge
from hall.v1 import common_pb2, frontdesk_pb2, gateway_pb2, issuance_pb2, staff_pb2

CAT = load_catalogue()
ITEM = sorted(CAT.items)[0]
DEPT = sorted(CAT.departments)[0]


def accept(**changes):
    r = gateway_pb2.AcceptApplicationRequest(
        idempotency_key="k-1", item_code=ITEM, site="LX00", delivery=common_pb2.PICKUP,
        applicant=common_pb2.Applicant(kind=common_pb2.Applicant.PERSON, name="张三",
                                       id_number="370102199001011234", phone="13805310000"),
        materials=[common_pb2.Material(name="身份证", form="original", count=1)])
    for path, value in changes.items():
        target = r
        *parents, last = path.split("__")
        for p in parents:
            target = getattr(target, p)
        setattr(target, last, value)
    return r


def refused(request) -> str:
    with pytest.raises(InvalidArgument) as exc:
        edge.check(request, CAT)
    return str(exc.value)


def test_a_valid_request_passes():
    edge.check(accept(), CAT)


@pytest.mark.parametrize("phone", ["13805310000", "+8613805310000", "138 0531 0000", "0531-86012345",
                                   "053186012345", "0531-86012345-801", "010-61234567"])
def test_mobile_and_fixed_line_numbers_pass(phone):
    assert is_phone(phone)
    edge.check(accept(applicant__phone=phone), CAT)


@pytest.mark.parametrize("phone", ["12345", "1380531000", "23805310000", "phone", "0531-0601234", "1" * 100_000])
def test_anything_else_is_not_a_phone_number(phone):
    message = refused(accept(applicant__phone=phone))
    assert message.startswith("applicant.phone: ")
    assert len(message) < 300


def test_an_enum_value_the_proto_does_not_define_is_refused():
    assert "delivery" in refused(accept(delivery=7))
    assert "applicant.kind" in refused(accept(applicant__kind=9))


@pytest.mark.parametrize("blank", [" ", "\u3000\u3000", "\t "])
def test_text_that_is_blank_after_trimming_is_refused(blank):
    assert refused(accept(applicant__name=blank)).startswith("applicant.name: ")


def test_blank_material_names_are_refused_by_position():
    r = accept()
    r.materials.add(name="  ", form="copy", count=1)
    assert refused(r).startswith("materials[1].name: ")


@pytest.mark.parametrize("hostile", ["张\x00三", "张\u202e三", "张\u2066三", "a\nb"])
def test_control_and_bidirectional_characters_are_refused(hostile):
    message = refused(accept(applicant__name=hostile))
    assert "\x00" not in message and "\u202e" not in message and "\u2066" not in message


def test_multiline_fields_take_line_breaks():
    edge.check(gateway_pb2.RecordDecisionRequest(case_no="X", outcome="reject", reason="第一行\n第二行",
                                                 legal_basis="《行政许可法》第三十八条"), CAT)


def test_lengths_come_from_the_proto():
    assert "at most 100 characters" in refused(accept(applicant__name="名" * 101))
    assert "at most 200 characters" in refused(accept(address="路" * 201))
    assert "at most 40 characters" in refused(gateway_pb2.GetCaseRequest(case_no="1" * 41))
    edge.check(accept(applicant__name="名" * 100), CAT)


def test_unannotated_strings_and_repeated_fields_have_a_default_bound():
    r = accept()
    for _ in range(101):
        r.materials.add(name="复印件", form="copy", count=1)
    assert "at most 100 entries" in refused(r)
    r = accept()
    r.materials[0].form = "f" * 201
    assert refused(r) == "materials[0].form: 超过 200 个字符 (at most 200 characters; 201 were sent)"


@pytest.mark.parametrize("code", ["$gt", "a.b", "X\x00", "NOPE"])
def test_codes_are_checked_against_the_catalogue_before_any_query(code):
    assert refused(gateway_pb2.ListWorklistRequest(department=code)).startswith("department: ")
    assert refused(accept(item_code=code)).startswith("item_code: ")
    assert refused(accept(site=code)).startswith("site: ")
    assert refused(frontdesk_pb2.CallNextRequest(window=code)).startswith("window: ")
    assert refused(frontdesk_pb2.TakeTicketRequest(site="LX00", sector=code)).startswith("sector: ")


def test_known_codes_pass_and_sectors_go_by_name_or_code():
    sector = next(iter(CAT.sectors.values()))
    edge.check(gateway_pb2.ListWorklistRequest(department=DEPT), CAT)
    edge.check(frontdesk_pb2.TakeTicketRequest(site="LX00", sector=sector.name), CAT)
    edge.check(frontdesk_pb2.TakeTicketRequest(site="LX00", sector=sector.code), CAT)
    edge.check(frontdesk_pb2.CallNextRequest(window=sorted(CAT.windows)[0]), CAT)


def test_roles_and_nested_staff_codes_are_checked():
    member = staff_pb2.StaffMember(staff_id="c-1", name="李四", roles=["clerk", "wizard"], site="LX00")
    assert refused(staff_pb2.AddStaffRequest(member=member, password="x" * 12)).startswith("member.roles[1]: ")


def test_bytes_have_a_bound_and_positions_are_windows():
    assert "at most 262144 bytes" in refused(issuance_pb2.CollectRequest(case_no="X", signature=b"x" * 300_000))
    assert refused(issuance_pb2.CollectRequest(case_no="X", position="LX00-Z99")).startswith("position: ")
    edge.check(issuance_pb2.CollectRequest(case_no="X", position="LX00-I01", signature=b"png"), CAT)


def test_a_message_quotes_at_most_80_characters_of_the_input():
    long = "甲" * 150 + "\u202e"
    q = quote(long)
    assert len(q) == 80 + 2 and "\u202e" not in q
    message = refused(accept(applicant__phone="9" * 150))
    assert "9" * 80 not in message and "9" * 79 in message
