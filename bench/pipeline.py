"""`make bench`: cases end to end through the gateway, every service in its own process.

Two phases on a fresh hall: (1) as fast as it goes, N cases with many in flight — the
sustained rate; (2) an open loop of cases started at a fixed rate (default 100/s) — the
accept latency while cases flow. Each case: accept → decide (once routed) → pick up (once
the applicant's pickup code is sent) → closed. The raw broker and database rates are
measured in the same run, so the ratios are comparable across machines.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import grpc
import pymongo

from bench import record
from bench.raw import broker_rate, database_rate
from hall.catalogue import load_catalogue
from hall.tools.sample import person
from tests.integration.hallfixture import TestHall, free_port_base
from hall.runtime.launcher import DATABASES, wait_port



class Recorder:
    def __init__(self):
        self.calls: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.lock = threading.Lock()

    def failed(self, exc: Exception) -> None:
        name = exc.code().name if isinstance(exc, grpc.RpcError) else type(exc).__name__
        with self.lock:
            self.errors[name] = self.errors.get(name, 0) + 1

    def timed(self, name, fn, *args, **kw):
        started = time.perf_counter()
        result = fn(*args, **kw)
        with self.lock:
            self.calls.setdefault(name, []).append(time.perf_counter() - started)
        return result


def retry_until_ready(fn, poll: float, timeout: float = 120):
    """Call `fn` until the step it takes is possible (FAILED_PRECONDITION means not yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.FAILED_PRECONDITION or time.monotonic() > deadline:
                raise
        time.sleep(poll)


class Watcher:
    """Listens on the bus like a front end's notification feed, so the driver acts on a case
    when the step it waits for has happened, instead of polling the services."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.seen: dict[tuple[str, str], threading.Event] = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)

    def _flag(self, case_no: str, type_: str) -> threading.Event:
        with self.lock:
            return self.seen.setdefault((case_no, type_), threading.Event())

    def wait(self, case_no: str, type_: str, timeout: float = 120) -> None:
        if not self._flag(case_no, type_).wait(timeout):
            raise TimeoutError(f"{type_} of {case_no} never came")

    def _run(self) -> None:
        from kombu import Connection, Queue
        from hall.infra.bus import event_exchange
        queues = [Queue(f"bench-watch-{t}-{os.getpid()}", exchange=event_exchange(src), routing_key=t,
                        auto_delete=True, exclusive=True)
                  for src, t in (("routing", "case_routed"), ("delivery", "result_ready"), ("sla", "case_closed"))]
        with Connection(self.amqp_uri) as conn:
            def on(body, message):
                self._flag(body["case_no"], body["type"]).set()
                message.ack()
            with conn.Consumer(queues, callbacks=[on], accept=["json"]):
                self.ready.set()
                while True:
                    try:
                        conn.drain_events(timeout=1)
                    except TimeoutError:
                        pass
                    except conn.connection_errors:  # the hall (and its vhost) went away
                        return


def one_case(h: TestHall, clients, item, delivery_db, rec: Recorder, watcher: Watcher) -> str | None:
    """One case through every step; None (and the error counted) if a step failed."""
    try:
        return _one_case(clients, item, delivery_db, rec, watcher)
    except (grpc.RpcError, TimeoutError) as exc:
        rec.failed(exc)
        return None


def _one_case(clients, item, delivery_db, rec: Recorder, watcher: Watcher) -> str:
    clerk, reviewer, issuer = clients
    applicant = person()
    case_no = rec.timed("AcceptApplication", clerk.accept, item.code, applicant).case_no
    watcher.wait(case_no, "case_routed")
    retry_until_ready(lambda: rec.timed("RecordDecision", reviewer.decide, case_no, "approve"), 0.05)
    watcher.wait(case_no, "result_ready")
    doc = delivery_db.issuances.find_one({"_id": case_no}, {"notices": 1})
    rec.timed("RecordPickup", issuer.pickup, case_no, doc["notices"][0]["code"], applicant["id_number"])
    return case_no


def wait_closed(watcher: Watcher, case_nos: list[str], timeout: float = 300) -> tuple[float, int]:
    """When the last of the cases closed (or the timeout), and how many did. Listens on the
    bus: polling the SLA's database would add the bench's own load to the pipeline's."""
    deadline = time.monotonic() + timeout
    closed = 0
    for c in case_nos:
        try:
            watcher.wait(c, "case_closed", max(0.0, deadline - time.monotonic()))
            closed += 1
        except TimeoutError:
            pass
    return time.perf_counter(), closed


def step_latencies(sla_db, case_nos: list[str]) -> dict[str, list[float]]:
    """accepted→routed and decided→ready: the machine's own hops, from the timeline."""
    by_case: dict[str, dict[str, datetime]] = {}
    for e in sla_db.timeline.find({"case_no": {"$in": case_nos}}, {"case_no": 1, "type": 1, "at": 1}):
        by_case.setdefault(e["case_no"], {})[e["type"]] = datetime.fromisoformat(e["at"])
    hops = {"accepted→routed": ("case_accepted", "case_routed"),
            "routed→decided (incl. the reviewer)": ("case_routed", "case_decided"),
            "decided→ready": ("case_decided", "result_ready")}
    # case_closed carries the time of the issue it closes, so issued→closed is not a hop
    out = {}
    for name, (a, b) in hops.items():
        out[name] = [(t[b] - t[a]).total_seconds() for t in by_case.values() if a in t and b in t]
    return out


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User+system CPU seconds so far of each process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for name, pid in pids.items():
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            out[name] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            pass
    return out


def db_commands(settings, processes) -> dict[tuple[str, str], float]:
    """hall_db_commands_total summed over the processes, by (process, command)."""
    import re
    import urllib.request
    out: dict[tuple[str, str], float] = {}
    for name in processes:
        body = urllib.request.urlopen(f"http://127.0.0.1:{settings.metrics_port(name)}/metrics", timeout=5).read().decode()
        for m in re.finditer(r'^hall_db_commands_total\{command="(\w+)",database="\w+"\} (\S+)$', body, re.M):
            out[(name, m[1])] = out.get((name, m[1]), 0) + float(m[2])
    return out


def stored_sizes(mongo_of, settings) -> list[tuple[str, int, float, int]]:
    """(service.collection, documents, mean BSON bytes, indexes) of every service's database:
    what a case leaves behind, and the indexes every write to it maintains."""
    import bson
    out = []
    for service in ("intake", "routing", "approval", "delivery", "sla"):
        db = mongo_of(service)[settings.database(service)]
        for name in sorted(db.list_collection_names()):
            docs = list(db[name].find().limit(200))
            if docs:
                mean = sum(len(bson.encode(d)) for d in docs) / len(docs)
                out.append((f"{service}.{name}", db[name].estimated_document_count(), mean,
                            len(list(db[name].list_indexes()))))
    return out


def db_profile_rows(paths: list[Path]) -> dict[tuple[str, str, str], tuple[int, float, int]]:
    """The database servers' own account (bench/profiled_db.py): {(database, command,
    collection): (commands, CPU seconds, statements)} so far, over every server."""
    import json
    out: dict[tuple[str, str, str], tuple[int, float, int]] = {}
    for path in paths:
        try:
            rows = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for d, c, k, n, cpu, st in rows:
            a = out.get((d, c, k), (0, 0.0, 0))
            out[(d, c, k)] = (a[0] + n, a[1] + cpu, a[2] + st)
    return out


def start_db(tmp: Path, name: str, port: int) -> tuple[subprocess.Popen, Path, str]:
    """One profiled embedded server; (process, its profile file, its URI)."""
    profile = tmp / f"db-profile-{name}.json"
    proc = subprocess.Popen([sys.executable, "-m", "bench.profiled_db", str(profile), "--", "--host", "127.0.0.1",
                             "--port", str(port), "--storage-path", str(tmp / f"db-{name}"), "--sync-on-commit"],
                            stdout=open(tmp / f"db-{name}.log", "wb"), stderr=subprocess.STDOUT)
    return proc, profile, f"mongodb://127.0.0.1:{port}/?retryWrites=false"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(args) -> str:
    cat = load_catalogue()
    item = next(i for i in cat.items.values() if len(i.departments) == 1 and not i.classified
                and i.promised_limit > 0 and not cat.missing_delegations(i.code, datetime.now().date()))
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    port = free_port_base(len(DATABASES))
    names = DATABASES if args.db_servers == "per-service" else ("all",)
    servers = {name: start_db(tmp, name, port + i) for i, name in enumerate(names)}
    for _, _, uri in servers.values():
        wait_port("127.0.0.1", int(uri.rsplit(":", 1)[1].split("/")[0]), 30)
    mongo_uri = next(iter(servers.values()))[2]
    if args.db_servers == "per-service":  # the hall's processes take these from the environment
        os.environ.update({f"HALL_{name.upper()}_MONGO_URI": uri for name, (_, _, uri) in servers.items()})
    db_profiles = [profile for _, profile, _ in servers.values()]
    db_clients = {uri: pymongo.MongoClient(uri, retryWrites=False) for _, _, uri in servers.values()}

    def mongo_of(service: str) -> pymongo.MongoClient:
        return db_clients[servers[service][2] if service in servers else mongo_uri]

    h = TestHall(mongo_uri, tmp / "logs")
    lines = []
    try:
        h.hall.start_all()
        delivery_db, sla_db = mongo_of("delivery")[h.settings.database("delivery")], mongo_of("sla")[h.settings.database("sla")]
        watcher = Watcher(h.settings.amqp_uri)
        clients = (h.client("clerk"), h.client("reviewer", department=item.lead), h.client("issuer"))
        broker = broker_rate(h.settings.amqp_uri)
        database = database_rate(mongo_uri)
        one_case(h, clients, item, delivery_db, Recorder(), watcher)  # warm up every path

        pids = {name: p.pid for name, p in h.hall.procs.items()}
        for name, (proc, _, _) in servers.items():
            pids["secantusd (database)" if name == "all" else f"secantusd ({name})"] = proc.pid
        beam = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
        if beam:
            pids["rabbitmq"] = int(beam[0])
        pids["bench driver"] = os.getpid()
        cpu_before = cpu_seconds(pids)
        db_before = db_commands(h.settings, h.hall.procs)
        time.sleep(1.2)  # the profiled database writes its account every second
        profile_before = db_profile_rows(db_profiles)
        rec = Recorder()
        started = time.perf_counter()
        with ThreadPoolExecutor(args.in_flight) as pool:
            case_nos = [c for c in pool.map(lambda _: one_case(h, clients, item, delivery_db, rec, watcher),
                                             range(args.cases)) if c]
        ended, closed = wait_closed(watcher, case_nos)
        sustained = closed / (ended - started)
        cpu_used = {k: v - cpu_before.get(k, 0) for k, v in cpu_seconds(pids).items()}
        db_used = {k: v - db_before.get(k, 0) for k, v in db_commands(h.settings, h.hall.procs).items()}
        time.sleep(1.2)
        zero = (0, 0.0, 0)
        profile_used = {k: tuple(a - b for a, b in zip(v, profile_before.get(k, zero)))
                        for k, v in db_profile_rows(db_profiles).items()}
        steps = step_latencies(sla_db, case_nos)
        sizes = stored_sizes(mongo_of, h.settings)

        print(f"phase 1: {closed} of {len(case_nos)} closed, {sustained:.1f} cases/s", flush=True)
        rec2 = Recorder()
        futures, t0 = [], time.perf_counter()
        with ThreadPoolExecutor(max(64, args.rate)) as pool:
            for i in range(int(args.rate * args.seconds)):
                delay = t0 + i / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(one_case, h, clients, item, delivery_db, rec2, watcher))
            offered = [c for f in futures if (c := f.result())]
        _, closed2 = wait_closed(watcher, offered)
        achieved = closed2 / (time.perf_counter() - t0)

        lines += [f"## Pipeline: {record.machine()}", "",
                  f"Database servers: {len(servers)} ({args.db_servers}). "
                  f"Phase 1: {args.cases} cases, {args.in_flight} in flight, item {item.code}; "
                  f"{closed} closed; failed: {rec.errors or 'none'}.", "",
                  "| measure | value |", "| --- | --- |",
                  f"| pipeline, cases/s sustained (accept → closed) | {sustained:.1f} |",
                  f"| raw broker, persistent+confirmed publish then consume+ack, msgs/s | {broker:.0f} |",
                  f"| raw database, insert_one, docs/s | {database:.0f} |",
                  f"| pipeline / broker (cases per message) | {sustained / broker:.4f} |",
                  f"| pipeline / database (cases per insert) | {sustained / database:.4f} |", "",
                  "| gateway call (phase 1) | n | p50 ms | p99 ms |", "| --- | --- | --- | --- |"]
        for name, v in sorted(rec.calls.items()):
            lines.append(f"| {name} | {len(v)} | {pct(v, 50)*1000:.1f} | {pct(v, 99)*1000:.1f} |")
        lines += ["", "| step (from the SLA timeline) | p50 ms | p99 ms |", "| --- | --- | --- |"]
        for name, v in steps.items():
            lines.append(f"| {name} | {pct(v, 50)*1000:.1f} | {pct(v, 99)*1000:.1f} |")
        lines += ["", "| process | CPU ms per case (phase 1) |", "| --- | --- |"]
        for name, secs in sorted(cpu_used.items(), key=lambda kv: -kv[1]):
            lines.append(f"| {name} | {secs * 1000 / args.cases:.1f} |")
        cores = os.cpu_count() or 1
        others = sum(v for k, v in cpu_used.items() if not k.startswith("secantusd") and k != "bench driver")
        every = sum(v for k, v in cpu_used.items() if k != "bench driver")
        lines += ["", f"All of the hall's processes: {every * 1000 / args.cases:.1f} ms of CPU per case, "
                      f"{every / (ended - started):.2f} of {cores} cores busy. Without the database: "
                      f"{others * 1000 / args.cases:.1f} ms per case, so even a database that cost nothing "
                      f"would leave this machine at most ~{cores * args.cases / max(others, 1e-9):.0f} cases/s "
                      "with these processes as they are."]
        lines += ["", "| process: database command | per case (phase 1) |", "| --- | --- |"]
        for (name, cmd), n in sorted(db_used.items(), key=lambda kv: -kv[1]):
            if n / args.cases >= 0.01:
                lines.append(f"| {name}: {cmd} | {n / args.cases:.2f} |")
        lines += ["", "The database's CPU by request (bench/profiled_db.py; documents: written per case, "
                      "or 1 per read).", "",
                  "| service, command, collection | commands per case | documents per case | CPU ms per case | CPU ms per command |",
                  "| --- | --- | --- | --- | --- |"]
        for (d, c, k), (n, cpu, st) in sorted(profile_used.items(), key=lambda kv: -kv[1][1]):
            if cpu * 1000 / args.cases >= 0.05:
                lines.append(f"| {d.rsplit('_', 1)[-1]} {c} {k} | {n / args.cases:.2f} | {st / args.cases:.2f} | "
                             f"{cpu * 1000 / args.cases:.2f} | {cpu * 1000 / max(n, 1):.2f} |")
        lines += ["", "| collection | documents | mean bytes | indexes |", "| --- | --- | --- | --- |"]
        lines += [f"| {n} | {c} | {b:.0f} | {i} |" for n, c, b, i in sizes]
        lines += ["", f"Phase 2: cases started at {args.rate}/s for {args.seconds}s; {len(offered)} completed "
                      f"and {closed2} closed ({achieved:.1f}/s including the drain); failed: {rec2.errors or 'none'}.", "",
                  "| gateway call (phase 2) | n | p50 ms | p99 ms |", "| --- | --- | --- | --- |"]
        for name, v in sorted(rec2.calls.items()):
            lines.append(f"| {name} | {len(v)} | {pct(v, 50)*1000:.1f} | {pct(v, 99)*1000:.1f} |")
        lines.append("")
        return "\n".join(lines)
    finally:
        h.close()
        for proc, _, _ in servers.values():
            proc.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=48)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--db-servers", choices=("one", "per-service"), default="one",
                        help="one embedded server for every service (as the tests), or one per service (as make run)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to docs/benchmarks.md")
    args = parser.parse_args()
    report = run(args)
    print(report)
    if not args.no_record:
        record.append(report)


if __name__ == "__main__":
    main()
