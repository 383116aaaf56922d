"""Benchmark: the SLA's periodic scan costs the same with 1,000,000 stored cases as with 10,000.

The scan reads only the clock records whose `next_check` day has come (an indexed range) and
the notices whose escalation time has come (another), so its work follows the number of cases
that need a look, not the number stored. This loads a throw-away SecantusDB with realistic
clock records (mostly closed cases, some open, a fixed number due today) in insert_many
batches, runs the real scan (services/sla/handlers.py over services/sla/repository.py) at
each size on the same number of due cases, and fails if the large store is clearly slower.

    .venv/bin/python -m bench.sla_scan                      # 10,000 then 1,000,000
    .venv/bin/python -m bench.sla_scan --sizes 10000 100000 --due 200 --repeat 3
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import record
from hall.catalogue import load_catalogue
from hall.domain import case_record
from hall.domain.case_clock import facts
from hall.domain.clock import SHANGHAI
from hall.domain.workdays import WorkCalendar
from hall.infra.mongo import connect
from hall.runtime.launcher import wait_port
from hall.domain.ports import UnitOfWork
from services.sla import config, handlers
from services.sla.repository import SlaRepository
from tests.unit.fakes import FixedCatalogue
from tests.integration.hallfixture import free_port_base

BATCH = 10_000


class NoBus:
    """The scan's events are stored with the notices; publishing them is not what is measured."""

    def handed(self, events):
        pass


def template(cal, accepted_on: date, decided: bool, policy) -> dict:
    item = {"code": "XK-BENCH", "name": "基准事项", "promised_limit": 10, "legal_limit": 20,
            "departments": ["SCJG"], "case_type": "承诺件"}
    at = f"{accepted_on.isoformat()}T09:00:00+08:00"
    events = [{"type": "case_accepted", "case_no": "X", "site": "LX00", "at": at, "actor": {"staff_id": "c1"},
               "data": {"item": item, "accepted_on": accepted_on.isoformat()}},
              {"type": "case_routed", "case_no": "X", "site": "LX00", "at": at, "data": {"departments": ["SCJG"]}}]
    if decided:
        later = (accepted_on + timedelta(days=7)).isoformat() + "T10:00:00+08:00"
        events += [{"type": t, "case_no": "X", "site": "LX00", "at": later,
                    "data": {"department": "SCJG", "outcome": "approved"}}
                   for t in ("decision_made", "case_decided", "result_issued")]
    return case_record.build(facts(events), cal, accepted_on + timedelta(days=8), policy)


def records(kind: str, start: int, n: int, cal, policy, today: date):
    """`n` records: closed (most of the store), open (checked on a later day) or due today."""
    base = template(cal, today - timedelta(days=400), kind == "closed", policy)
    for i in range(start, start + n):
        doc = {**base, "_id": f"LX00-B{kind[0]}-{i:09d}", "case_no": f"LX00-B{kind[0]}-{i:09d}", "rev": 1,
               "accepted_on": (today - timedelta(days=1 + i % 1500)).isoformat()}
        if kind == "open":
            doc["next_check"] = (today + timedelta(days=1 + i % 30)).isoformat()
        elif kind == "due":
            doc["next_check"] = today.isoformat()
        yield doc


def load(coll, docs) -> float:
    started, batch = time.perf_counter(), []
    for d in docs:
        batch.append(d)
        if len(batch) == BATCH:
            coll.insert_many(batch, ordered=False)
            batch = []
    if batch:
        coll.insert_many(batch, ordered=False)
    return time.perf_counter() - started


def measure(repo, db, cal, cfg, catalogue, due: int, repeat: int, serial: list) -> dict:
    """The scan, `repeat` times, each over `due` fresh records due today; medians in seconds."""
    now = datetime.now(SHANGHAI)
    scans, finds = [], []
    for _ in range(repeat):
        load(db.clocks, records("due", serial[0], due, cal, cfg.policy, now.date()))
        serial[0] += due
        t = time.perf_counter()
        found = repo.due_for_check(now.date(), cfg.scan_batch)
        finds.append(time.perf_counter() - t)
        counts = handlers.scan_clocks(UnitOfWork(repo, repo.outbox, catalogue, cal, clock=lambda: now), cfg)
        assert len(found) == due and counts["checked"] == due, (len(found), counts)
        scans.append(counts["seconds"])
    t = time.perf_counter()
    open_now = len(repo.open_records())
    plan = db.clocks.find({"next_check": {"$gte": "1900-01-01", "$lte": now.date().isoformat()}}).explain()
    return {"stored": db.clocks.estimated_document_count(), "due": due,
            "scan_seconds": statistics.median(scans), "find_due_seconds": statistics.median(finds),
            "gauge_query_seconds": time.perf_counter() - t, "open_records": open_now,
            "plan": _stages(plan.get("queryPlanner", {}).get("winningPlan", {}))}


def _stages(plan: dict) -> str:
    names = []
    while plan:
        names.append(plan.get("stage", "?") + (f"({plan['indexName']})" if "indexName" in plan else ""))
        plan = plan.get("inputStage") or {}
    return " <- ".join(names)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--due", type=int, default=200, help="records due for a check in each scan")
    ap.add_argument("--open-share", type=float, default=0.02, help="share of stored cases still open")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tolerance", type=float, default=2.0, help="largest/smallest scan time allowed")
    ap.add_argument("--record", action="store_true", help="append the result to docs/benchmarks.md")
    args = ap.parse_args()

    cal, cfg = WorkCalendar.load(), config.load()
    catalogue = FixedCatalogue(load_catalogue())
    port = free_port_base(1)
    with tempfile.TemporaryDirectory(prefix="sla-bench-") as tmp:
        server = subprocess.Popen([str(Path(sys.executable).with_name("secantusd-py")), "--host", "127.0.0.1",
                                   "--port", str(port), "--storage-path", tmp],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port("127.0.0.1", port, 30)
            db = connect(f"mongodb://127.0.0.1:{port}/?retryWrites=false")["bench_sla"]
            repo = SlaRepository(db, NoBus())
            today, stored, serial, results = datetime.now(SHANGHAI).date(), 0, [0], []
            for size in sorted(args.sizes):
                grow = size - stored
                n_open = int(grow * args.open_share)
                took = load(db.clocks, records("open", stored, n_open, cal, cfg.policy, today))
                took += load(db.clocks, records("closed", stored, grow - n_open, cal, cfg.policy, today))
                stored = size
                r = measure(repo, db, cal, cfg, catalogue, args.due, args.repeat, serial)
                r["load_seconds"], r["load_docs_per_second"] = round(took, 1), round(grow / took)
                results.append(r)
                print(json.dumps(r), flush=True)
        finally:
            server.terminate()
            server.wait(30)
    ratio = results[-1]["scan_seconds"] / results[0]["scan_seconds"]
    if args.record:
        rows = [f"| {r['stored']:,} | {r['scan_seconds'] * 1000:.0f} | {r['load_docs_per_second']:,} |"
                for r in results]
        record.append("\n".join([
            f"## SLA scan: {record.machine()}", "",
            f"The periodic scan over {args.due} due cases, {args.repeat} runs each (median), with the "
            f"store grown between runs; ratio largest/smallest {ratio:.2f} (allowed {args.tolerance}).", "",
            "| stored cases | scan ms | load docs/s |", "| --- | --- | --- |", *rows, ""]))
    print(f"scan of {args.due} due cases: {results[0]['scan_seconds']*1000:.0f} ms with "
          f"{results[0]['stored']:,} stored, {results[-1]['scan_seconds']*1000:.0f} ms with "
          f"{results[-1]['stored']:,} stored (ratio {ratio:.2f}, allowed {args.tolerance})")
    return 0 if ratio <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
