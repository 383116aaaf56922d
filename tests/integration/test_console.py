"""The console in a real browser (Debian's Chromium, driven by playwright-core from
web/e2e/console.mjs) against the running hall: a ticket called at a window appears on the
call screen within a second, the clerk accepts the case through the checklist form, the
reviewer approves it, the applicant rates the service; no page logs a console error."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import uuid
from pathlib import Path

from hall.infra.settings import ROOT
from hall.tools.sample import company
from hall.v1 import frontdesk_pb2 as fd, staff_pb2
from tests.integration.hallfixture import eventually
from tests.integration.test_front_desk import Desk

SITE, WINDOW = "LX11", "LX11-W01"   # a street centre no other test queues at
ITEM = "QR00402000-370102-SYJ"      # 小餐饮登记: a street centre accepts it; one department
CHROMIUM = "/usr/bin/chromium"


def member(hall, staff_id, role, site=SITE, department="") -> dict:
    hall.staffing.ensure(staff_id, role, site, department)
    password = f"Pw-{uuid.uuid4().hex[:12]}"
    hall.staffing.stub.SetPassword(staff_pb2.SetPasswordRequest(staff_id=staff_id, new_password=password),
                                   metadata=hall.staffing.md, timeout=10)
    return {"staffId": staff_id, "password": password}


def drive(plan: dict) -> dict:
    script = ROOT / "web" / "e2e" / "console.mjs"
    assert (ROOT / "web" / "dist" / "index.html").exists(), "build the console first: make web"
    assert shutil.which("node") and Path(CHROMIUM).exists(), "make chromium installs the browser"
    run = subprocess.run(["node", str(script), json.dumps(plan)], cwd=ROOT / "web", capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_call_accept_decide_and_rate_in_the_browser(hall, catalogue, tmp_path):
    item = catalogue.item(ITEM)
    applicant = company(random.Random(uuid.uuid4().int))
    kiosk = Desk(hall, "system", site=SITE)
    ticket = kiosk.TakeTicket(fd.TakeTicketRequest(idempotency_key=uuid.uuid4().hex, site=SITE, sector=item.sector))
    screens = Path(os.environ.get("HALL_SCREENS_DIR") or tmp_path / "screens")
    plan = {
        "base": f"http://{hall.settings.host}:{hall.settings.web_port()}", "chromium": CHROMIUM,
        "site": SITE, "window": WINDOW, "item": ITEM, "applicant": applicant,
        "boardTimeoutMs": 1000,  # the call screen shows a call within a second
        "clerk": member(hall, "web-e2e-clerk", "clerk"),
        "reviewer": member(hall, "web-e2e-reviewer", "reviewer", "LX00", item.departments[0]),
        "others": {"issuer": member(hall, "web-e2e-issuer", "issuer"),  # results wait at their site
                   "supervisor": member(hall, "web-e2e-supervisor", "supervisor", "LX00"),
                   "admin": {"staffId": "admin", "password": hall.hall.admin_password_file.read_text().strip()}},
        "screens": str(screens),
    }
    out = drive(plan)
    assert "error" not in out, out
    assert out["ticket"] == ticket.number and out["boardMs"] <= 1000
    assert out["checked"] == out["materials"] == len([m for m in item.materials if not m.condition])

    clerk = hall.client("clerk", site=SITE, staff_id="web-e2e-clerk")
    case = eventually(lambda: (c := clerk.case(out["caseNo"])).outcome and c, "the decision to reach the case")
    assert out["resultTitle"] == "受理通知书" and case.outcome == "approved"
    assert case.applicant.id_number == applicant["id_number"] and case.site == SITE
    stored = hall.db("intake").tickets.find_one({"_id": ticket.id})
    assert (stored["status"], stored["window"], stored["case_no"]) == ("served", WINDOW, out["caseNo"])

    rating = eventually(lambda: hall.db("sla").ratings.find_one({"case_no": out["caseNo"]}), "the rating")
    assert (rating["level"], rating["window"], rating["staff"]) == (5, WINDOW, "web-e2e-clerk")
    assert out["consoleErrors"] == [] and out["failedCalls"] == []
    assert {p.name for p in screens.iterdir()} >= {"call-screen.png", "clerk.png", "clerk-result.png", "reviewer.png", "issuer.png",
                                                   "supervisor.png", "admin.png", "rating-pad.png"}
