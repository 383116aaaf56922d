"""The embedded database with its CPU attributed to commands: `python -m bench.profiled_db
OUT.json -- <secantusd-py arguments>`. Each command's thread CPU time, and the documents
it writes (or 1), is added up by (database, command, collection) and written to OUT.json every second, so `make bench` can say
which of the platform's requests the database spends its time on."""
from __future__ import annotations

import json
import sys
import threading
import time
from collections import defaultdict

import secantus.server
from secantus.cli import main as secantus_main

_totals: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0])
_lock = threading.Lock()


def _wrap(dispatch):
    def timed(body, ctx):
        started = time.thread_time()
        try:
            return dispatch(body, ctx)
        finally:
            spent = time.thread_time() - started
            name = next(iter(body), "")
            target = body.get(name)
            key = (str(body.get("$db", "")), name, target if isinstance(target, str) else "")
            writes = body.get("documents") or body.get("updates") or body.get("deletes")
            with _lock:
                entry = _totals[key]
                entry[0] += 1
                entry[1] += spent
                entry[2] += len(writes) if isinstance(writes, list) else 1
    return timed


def _dump_every_second(path: str) -> None:
    while True:
        time.sleep(1)
        with _lock:
            rows = [[db, cmd, coll, n, cpu, st] for (db, cmd, coll), (n, cpu, st) in _totals.items()]
        with open(path + ".tmp", "w") as f:
            json.dump(rows, f)
        import os
        os.replace(path + ".tmp", path)


def main() -> int:
    out, rest = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    secantus.server.dispatch = _wrap(secantus.server.dispatch)
    threading.Thread(target=_dump_every_second, args=(out,), daemon=True).start()
    return secantus_main(rest)


if __name__ == "__main__":
    sys.exit(main())
