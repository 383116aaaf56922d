"""Follow one case through the hall: accept at a window, route, decide, issue, close.

    .venv/bin/python -m hall.tools.demo [ITEM_CODE]
Run it while `make run` is up. It signs in as the administrator (the first password `make run`
wrote to var/secrets/admin-password, or HALL_ADMIN_PASSWORD) to give three members of staff a
password for the demo, and they sign in with it. The pickup code is read from the applicant's text message,
which the delivery service records (no SMS gateway is reachable from here).
"""
from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

from hall.catalogue import load_catalogue
from hall.domain.clock import SHANGHAI
from hall.infra import settings
from hall.tools.sample import person
from hall.tools.sms import messages
from hall.tools.staffing import Staffing


def wait_for(fn, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = fn()
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def sms_code(mongo_uri: str, db_name: str, case_no: str) -> str | None:
    found = [m for m in messages(mongo_uri, db_name, case_no) if m.get("kind") == "pickup_code"]
    return found[0]["code"] if found else None


def main() -> None:
    settings.use_local_run()
    s = settings.load()
    secrets_dir = Path(os.environ.get("HALL_SECRETS_DIR", settings.ROOT / "var" / "secrets"))
    cat = load_catalogue(s.reference_dir)
    today = datetime.now(SHANGHAI).date()
    code = sys.argv[1] if len(sys.argv) > 1 else next(
        i.code for i in cat.items.values() if len(i.departments) == 1 and not i.classified
        and not cat.missing_delegations(i.code, today))
    item = cat.item(code)
    # the administrator gives three members of the directory a fresh password (recorded in
    # the directory's change log) and each signs in with it, as at the start of a shift
    admin_password = os.environ.get("HALL_ADMIN_PASSWORD") or (secrets_dir / "admin-password").read_text().strip()
    staff = Staffing(s.address("gateway"), admin_password)
    clerk, reviewer, issuer = (staff.client(staff.find(role, site, dept).staff_id, role) for role, site, dept in
                               (("clerk", "LX00", ""), ("reviewer", "", item.lead), ("issuer", "LX00", "")))
    print(f"signed in: clerk {clerk.actor.staff_id}, reviewer {reviewer.actor.staff_id} ({item.lead}), "
          f"issuer {issuer.actor.staff_id}")
    applicant = person()
    accepted = clerk.accept(code, applicant)
    print(f"accepted {accepted.case_no}: {item.name}, promised by {accepted.promised.due_date}")
    wait_for(lambda: clerk.case(accepted.case_no).status == "routed", "routing")
    print(f"routed to {item.lead}; worklist has {len(reviewer.worklist())} case(s)")
    wait_for(lambda: any(e.case_no == accepted.case_no for e in reviewer.worklist(limit=500)), "worklist")
    reviewer.decide(accepted.case_no, "approve")
    print("approved by", item.lead)
    pickup = wait_for(lambda: sms_code(s.mongo_uri_of("delivery"), s.database("delivery"), accepted.case_no), "the SMS")
    issuer.pickup(accepted.case_no, pickup, applicant["id_number"])
    view = wait_for(lambda: (v := clerk.case(accepted.case_no)).status == "closed" and v, "closing")
    print(f"status {view.status}; history:")
    for h in view.history:
        print(f"  {h.at}  {h.event_type:<14} {h.actor.role:<8} {h.actor.staff_id:<8} {h.summary}")


if __name__ == "__main__":
    main()
