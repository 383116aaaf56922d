"""The gateway for browsers: Connect calls over a real HTTP socket reach the same API, with
the same sign-in and the same access rules as native gRPC, and only the console's origin
may call across origins."""
from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request

from hall.v1 import staff_pb2


def web_url(hall) -> str:
    return f"http://{hall.settings.host}:{hall.settings.web_port()}"


def post(hall, path: str, body: bytes, content_type="application/json", token="", origin=""):
    headers = {"Content-Type": content_type, "Connect-Protocol-Version": "1"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    req = urllib.request.Request(web_url(hall) + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def password_for(hall, staff_id: str, role: str, site="LX00", department="") -> str:
    hall.staffing.ensure(staff_id, role, site, department)
    password = "Pw-" + secrets.token_urlsafe(12)
    hall.staffing.stub.SetPassword(staff_pb2.SetPasswordRequest(staff_id=staff_id, new_password=password),
                                   metadata=hall.staffing.md, timeout=10)
    return password


def sign_in(hall, staff_id: str, password: str) -> str:
    status, _, body = post(hall, "/hall.v1.Staff/SignIn",
                           json.dumps({"staffId": staff_id, "password": password}).encode())
    assert status == 200, body
    return json.loads(body)["accessToken"]


def test_a_browser_signs_in_and_calls_with_its_token_in_json_and_binary(hall):
    token = sign_in(hall, "web-clerk-1", password_for(hall, "web-clerk-1", "clerk"))

    status, headers, body = post(hall, "/hall.v1.Staff/WhoAmI", b"{}", token=token)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["staffId"] == "web-clerk-1"

    status, headers, body = post(hall, "/hall.v1.Staff/WhoAmI", staff_pb2.WhoAmIRequest().SerializeToString(),
                                 content_type="application/proto", token=token)
    assert status == 200 and headers["Content-Type"] == "application/proto"
    assert staff_pb2.StaffMember.FromString(body).roles == ["clerk"]


def test_the_same_access_rules_answer_as_connect_errors(hall):
    token = sign_in(hall, "web-clerk-2", password_for(hall, "web-clerk-2", "clerk"))

    status, _, body = post(hall, "/hall.v1.Staff/WhoAmI", b"{}")
    assert status == 401 and json.loads(body)["code"] == "unauthenticated"

    status, _, body = post(hall, "/hall.v1.Staff/WhoAmI", b"{}", token="not-a-token")
    assert status == 401 and json.loads(body)["code"] == "unauthenticated"

    status, _, body = post(hall, "/hall.v1.Staff/ListStaff", b"{}", token=token)
    error = json.loads(body)
    assert status == 403 and error["code"] == "permission_denied" and "admin" in error["message"]

    status, _, body = post(hall, "/hall.v1.HallGateway/GetCase", b'{"caseNo": "LX00-20260101-99999"}',
                           token=token)
    assert status == 404 and json.loads(body)["code"] == "not_found"


def test_bad_requests_get_clear_errors(hall):
    token = sign_in(hall, "web-clerk-3", password_for(hall, "web-clerk-3", "clerk"))
    status, _, body = post(hall, "/hall.v1.Staff/WhoAmI", b"{not json", token=token)
    assert status == 400 and json.loads(body)["code"] == "invalid_argument"

    status, _, body = post(hall, "/hall.v1.HallGateway/GetCase", b'{"noSuchField": 1}', token=token)
    assert status == 400 and "GetCaseRequest" in json.loads(body)["message"]

    status, _, body = post(hall, "/hall.v1.HallGateway/GetCase", b"\xff\xff\xff", "application/proto", token)
    assert status == 400 and json.loads(body)["code"] == "invalid_argument"

    status, _, body = post(hall, "/hall.v1.Nothing/Here", b"{}", token=token)
    assert status == 501 and json.loads(body)["code"] == "unimplemented"

    status, _, _ = post(hall, "/hall.v1.Staff/WhoAmI", b"{}", content_type="text/plain", token=token)
    assert status == 415


def test_only_the_consoles_own_origin_may_call_across_origins(hall):
    own, foreign = web_url(hall), "http://evil.example"

    def preflight(origin):
        req = urllib.request.Request(web_url(hall) + "/hall.v1.Staff/SignIn", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers)

    status, headers = preflight(own)
    assert status == 204 and headers["Access-Control-Allow-Origin"] == own
    assert "Authorization" in headers["Access-Control-Allow-Headers"]

    status, headers = preflight(foreign)
    assert status == 403 and "Access-Control-Allow-Origin" not in headers

    status, headers, body = post(hall, "/hall.v1.Staff/SignIn", b'{"staffId": "admin", "password": "x"}',
                                 origin=foreign)
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    assert json.loads(body)["code"] == "permission_denied"


def test_the_call_screen_reads_the_board_without_signing_in(hall):
    import uuid
    from hall.v1 import frontdesk_pb2 as fd
    from tests.integration.test_front_desk import Desk
    site = "LX12"
    kiosk, clerk = Desk(hall, "system", site=site), Desk(hall, "clerk", site=site, staff_id="web-board-clerk")
    taken = kiosk.TakeTicket(fd.TakeTicketRequest(idempotency_key=uuid.uuid4().hex, site=site, sector="经济发展"))
    window = _front_windows(site)[0]
    called = clerk.CallNext(fd.CallNextRequest(window=window))

    status, _, body = post(hall, "/hall.v1.FrontDesk/CallBoard", json.dumps({"site": site}).encode())
    board = json.loads(body)
    assert status == 200 and board["site"] == site
    assert {"number": called.number, "window": window} in [
        {k: c[k] for k in ("number", "window")} for c in board["calls"]]
    assert taken.number and "phone" not in body.decode() and "13800" not in body.decode()

    status, _, body = post(hall, "/hall.v1.FrontDesk/CallBoard", b'{"site": "NOWHERE"}')
    assert status == 400 and json.loads(body)["code"] == "invalid_argument"


def _front_windows(site):
    from hall.catalogue import load_catalogue
    cat = load_catalogue()
    return [w.id for w in cat.windows_at(site) if w.kind == "front" and "经济发展" in w.sectors]
