"""Check the audit chains of every service (docs/audit.md).

    .venv/bin/python -m hall.tools.audit verify

Reads each service's `audit` collection (HALL_MONGO_URI, HALL_DB_PREFIX, or var/run.env beside
`make run`), walks its chain in order and names the first entry that was changed or removed.
Prints each chain's head (its newest entry's number and hash): note it somewhere else, and a
later run shows whether the newest entries were removed. Exit status 1 if any chain is broken.
"""
from __future__ import annotations

import sys

from hall.domain import audit
from hall.infra import settings
from hall.infra.audit import Trail
from hall.infra.mongo import connect

CHAINS = (*settings.SERVICES, "gateway")


def verify(client, s: settings.Settings, services=CHAINS) -> dict[str, tuple[int, str, audit.Break | None]]:
    """Each service's (entries checked, head hash, first break or None)."""
    out = {}
    for service in services:
        trail = Trail(client[s.database(service)], service)
        count, last = 0, audit.GENESIS

        def walk():
            nonlocal count, last
            for e in trail.entries():
                count, last = count + 1, e.get("hash", "")
                yield e
        found = audit.first_break(walk())
        out[service] = (count, last, found)
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv != ["verify"]:
        print(__doc__, file=sys.stderr)
        return 2
    settings.use_local_run()
    s = settings.load()
    clients = {uri: connect(uri) for uri in {s.mongo_uri_of(service) for service in CHAINS}}
    found_all = {}
    for service in CHAINS:  # each service's chain on the server holding its database
        found_all.update(verify(clients[s.mongo_uri_of(service)], s, (service,)))
    broken = 0
    for service, (count, last, found) in found_all.items():
        if found:
            broken += 1
            print(f"{service}: BROKEN at {found}")
        else:
            print(f"{service}: ok, {count} entries, head {count}:{last}")
    for client in clients.values():
        client.close()
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
