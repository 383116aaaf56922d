"""Every public method has its gate in the one policy module, and only a few need no sign-in."""
from __future__ import annotations

import pytest

from hall.domain import identity
from hall.domain.errors import PermissionDenied
from hall.domain.identity import Actor
from hall.v1 import (audit_pb2, backoffice_pb2, catalogue_pb2, frontdesk_pb2, gateway_pb2, issuance_pb2,
                     staff_pb2, supervision_pb2)

MODULES = (audit_pb2, backoffice_pb2, catalogue_pb2, frontdesk_pb2, gateway_pb2, issuance_pb2, staff_pb2,
           supervision_pb2)


def every_method():
    for module in MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for m in service.methods:
                yield f"{service.full_name}/{m.name}"


def test_every_method_of_every_service_has_a_gate():
    missing = [m for m in every_method() if m not in identity.METHOD_ROLES]
    assert missing == []


def test_the_table_names_no_method_the_protos_do_not_define():
    assert set(identity.METHOD_ROLES) - set(every_method()) == set()


def test_only_signing_in_checking_a_document_and_the_call_screen_need_no_sign_in():
    public = {m for m in every_method() if identity.is_public("/" + m)}
    assert public == {"hall.v1.Staff/SignIn", "hall.v1.BackOffice/VerifyDecision",
                      "hall.v1.BackOffice/VerifyLicence", "hall.v1.FrontDesk/CallBoard"}


def test_a_role_outside_the_gate_is_refused_with_what_it_tried():
    with pytest.raises(PermissionDenied, match="accepting an application"):
        identity.may_call(Actor("i", "issuer", "LX00"), "/hall.v1.HallGateway/AcceptApplication")
    identity.may_call(Actor("c", "clerk", "LX00"), "/hall.v1.HallGateway/AcceptApplication")


def test_an_unknown_method_is_refused():
    with pytest.raises(PermissionDenied):
        identity.may_call(Actor("a", "admin", "LX00"), "/hall.v1.Nothing/Here")


def test_service_accounts_reach_only_what_the_services_need_of_each_other():
    system = Actor("svc-intake", "system", "")
    identity.may_call(system, "/hall.v1.HallCatalogue/GetCatalogueSnapshot")
    identity.may_call(system, "/hall.v1.Staff/ListRevocations")
    for method in ("/hall.v1.HallGateway/AcceptApplication", "/hall.v1.BackOffice/Decide",
                   "/hall.v1.Staff/AddStaff", "/hall.v1.Issuance/Collect"):
        with pytest.raises(PermissionDenied):
            identity.may_call(system, method)


def test_another_departments_case_looks_like_a_missing_one():
    from hall.domain.errors import NotFound
    stranger = Actor("r", "reviewer", "LX00", "SYJ")
    with pytest.raises(NotFound) as hidden:
        identity.may_see_case(stranger, ["ZJJ"], "LX00-20261201-00001")
    assert str(hidden.value) == identity.no_such_case("LX00-20261201-00001")
