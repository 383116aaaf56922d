"""`make run`: the whole hall on this machine, with the Lixia reference data, until Ctrl-C."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from hall.catalogue import load_catalogue
from hall.infra import settings as settings_mod
from hall.infra.tokens import write_private
from hall.runtime import process
from hall.runtime.launcher import DATABASES, Hall


def main() -> None:
    var = Path(os.environ.get("HALL_VAR_DIR", settings_mod.ROOT / "var"))
    var.mkdir(exist_ok=True)
    (var / "token_secret").unlink(missing_ok=True)  # the shared HS256 secret of earlier versions
    s = settings_mod.load()
    cat = load_catalogue(s.reference_dir)  # refuse to start on invalid reference data (calendar included)
    print(f"reference data: catalogue {cat.version}, {len(cat.sites)} sites, "
          f"{len(cat.departments)} departments, {len(cat.items)} items")
    hall = Hall({}, var / "log", var / "secrets")
    try:
        if os.environ.get("MONGO_URI"):
            print("database: MONGO_URI")
        elif os.environ.get("HALL_DB_SERVERS") == "one":  # the layout of earlier versions (var/db)
            port = int(os.environ.get("HALL_DB_PORT", "27117"))
            print("database: embedded SecantusDB on", hall.start_database(str(var / "db"), port))
        else:
            port = int(os.environ.get("HALL_DB_PORT", "27117"))
            for service, uri in hall.start_databases(str(var / "dbs"), port).items():
                print(f"database of {service}: embedded SecantusDB on {uri}")
        hall.start_all()
        keys = ("HALL_MONGO_URI", "MONGO_URI", "HALL_AMQP_URI", "HALL_PORT_BASE", "HALL_DB_PREFIX",
                "HALL_SECRETS_DIR", *(f"HALL_{d.upper()}_MONGO_URI" for d in DATABASES))
        write_private(var / "run.env", "".join(f"{k}={hall.env[k]}\n" for k in keys if hall.env.get(k)).encode())
        print("the hall is running; logs in var/log/")
        for line in hall.endpoints():
            print("  " + line)
        print(f"the administrator (staff id admin) signs in with the password in {hall.admin_password_file}"
              " (mode 0600; change it after the first sign-in)")
        print("sign in:  .venv/bin/python -m hall.tools.signin STAFF_ID   (prints a token for grpcurl)")
        print("Ctrl-C stops everything.")
        sys.stdout.flush()
        process.wait_for_signal()
    finally:
        print("stopping...")
        hall.stop_all()
        (var / "run.env").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
