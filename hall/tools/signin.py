"""Sign in at the gateway and print the access token, for grpcurl:

    TOKEN=$(.venv/bin/python -m hall.tools.signin STAFF_ID [ROLE])

The password is asked for (or read from the file named by HALL_PASSWORD_FILE); a one-time
code too when the member has TOTP on (or HALL_TOTP_CODE)."""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import grpc

from hall.client import sign_in
from hall.infra import settings


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m hall.tools.signin STAFF_ID [ROLE]")
    settings.use_local_run()
    staff_id, role = sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else ""
    pw_file = os.environ.get("HALL_PASSWORD_FILE")
    password = Path(pw_file).read_text().strip() if pw_file else getpass.getpass(f"password for {staff_id}: ")
    with grpc.insecure_channel(settings.load().address("gateway")) as channel:
        try:
            reply = sign_in(channel, staff_id, password, os.environ.get("HALL_TOTP_CODE", ""), role)
        except grpc.RpcError as exc:
            sys.exit(f"not signed in: {exc.details()}")
    print(reply.access_token)


if __name__ == "__main__":
    main()
