"""`make chaos`: N cases through the gateway at a steady rate while everything under them dies.

A chaos driver, from a recorded seed, SIGKILLs every service process several times at random
moments (some of them inside the write-then-publish window: the process is restarted with
HALL_FAULT=exit_before_publish and dies after its n-th publish batch, its write stored and its
event not yet sent), kills and restarts the hall's RabbitMQ node once (a node of the campaign's
own, never the machine's shared broker), kills and restarts the embedded database once and
freezes one worker with SIGSTOP for 30 s. The driver plays the supervisor (as the kubelet
would) and restarts whatever died. Clients retry a failed call with the same idempotency key.

At the end it checks every service's own store and the bus (hall/tools: bench.chaos_check)
and prints — with --record appends to docs/reliability.md — what it did and what it found.
"""
from __future__ import annotations

import argparse
import random
import signal
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc
import pymongo

from bench import chaos_check
from bench.chaos_broker import ChaosBroker
from bench.pipeline import pct
from bench.record import machine
from hall.catalogue import load_catalogue
from hall.infra.settings import PORTS
from hall.runtime.launcher import PROCESSES, Hall
from hall.tools.sample import person
from hall.tools.staffing import Staffing
from tests.integration.hallfixture import free_port_base

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
DISTRICT = tuple(n for n in PROCESSES if n != "street-monitor")  # what start_all starts without street nodes
WORKERS = [n for n in PORTS if n.endswith("-worker")]  # the Nameko halves (not the carrier stand-in or street-monitor)
# the processes that store an event and then publish it on the case's path
PUBLISHERS = ("intake-api", "routing-worker", "approval-api", "delivery-worker", "delivery-api", "sla-worker")
# a call answered with one of these may or may not have taken effect: retry it, same key
RETRY = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL,
         grpc.StatusCode.UNKNOWN, grpc.StatusCode.ABORTED, grpc.StatusCode.RESOURCE_EXHAUSTED,
         grpc.StatusCode.CANCELLED}
STEP_TIMEOUT = 300.0


@dataclass
class Action:
    at: float          # seconds after the load started
    kind: str          # kill | window | broker | database | freeze
    target: str = ""
    arg: int = 0       # window: publish batches before dying; freeze: seconds
    done_at: float | None = None  # monotonic, when the driver acted


def plan(seed: int, duration: float, kills: int, window: bool, broker: int, database: int,
         freeze: float, targets=DISTRICT) -> list[Action]:
    """The campaign's faults, spread one per slot over the middle of the load, in an order the
    seed decides."""
    rng = random.Random(seed)
    acts = [Action(0, "kill", n) for n in targets for _ in range(kills)]
    if window:
        acts += [Action(0, "window", n, rng.randint(0, 8)) for n in PUBLISHERS if n in targets]
    acts += [Action(0, "broker") for _ in range(broker)] + [Action(0, "database") for _ in range(database)]
    if freeze:
        acts.append(Action(0, "freeze", rng.choice(WORKERS), int(freeze)))
    rng.shuffle(acts)
    start, span = 0.05 * duration, 0.8 * duration
    slot = span / max(1, len(acts))
    for i, a in enumerate(acts):
        a.at = start + slot * (i + rng.uniform(0.1, 0.9))
    return acts


@dataclass
class Case:
    i: int
    key: str
    started: float = 0.0
    case_no: str = ""
    accepted: bool = False      # AcceptApplication answered OK
    decided: bool = False       # RecordDecision answered OK (or its effect found after a retry)
    picked_up: bool = False
    closed_at: float | None = None
    failure: str = ""
    errors: list = field(default_factory=list)  # (method, code) the client saw


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.errors: dict[tuple[str, str], int] = {}
        self.recovered: dict[tuple[str, str], int] = {}  # errors whose retry then succeeded

    def error(self, method: str, code: str) -> None:
        with self.lock:
            self.errors[(method, code)] = self.errors.get((method, code), 0) + 1

    def retried_ok(self, method: str, codes: list[str]) -> None:
        with self.lock:
            for c in codes:
                self.recovered[(method, c)] = self.recovered.get((method, c), 0) + 1


class Watcher:
    """The steps of cases as the bus tells them, on durable queues of its own so that nothing
    is missed while it reconnects after the broker's restart."""
    TYPES = (("routing", "case_routed"), ("delivery", "result_ready"), ("sla", "case_closed"))

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.seen: dict[tuple[str, str], threading.Event] = {}
        self.when: dict[tuple[str, str], float] = {}
        self.lock = threading.Lock()
        self.stopped = False
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True, name="watcher").start()
        self.ready.wait(30)

    def flag(self, case_no: str, type_: str) -> threading.Event:
        with self.lock:
            return self.seen.setdefault((case_no, type_), threading.Event())

    def _run(self) -> None:
        from kombu import Connection, Queue
        from hall.infra.bus import event_exchange
        queues = [Queue(f"chaos-watch-{t}", exchange=event_exchange(src), routing_key=t, durable=True)
                  for src, t in self.TYPES]

        def on(body, message):
            key = (body.get("case_no", ""), body.get("type", ""))
            with self.lock:
                self.when.setdefault(key, time.monotonic())
            self.flag(*key).set()
            message.ack()
        while not self.stopped:
            try:
                with Connection(self.amqp_uri, connect_timeout=5) as conn:
                    with conn.Consumer(queues, callbacks=[on], accept=["json"], prefetch_count=500):
                        self.ready.set()
                        while not self.stopped:
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                pass
            except Exception:
                time.sleep(1)


class Campaign:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.tmp = Path(tempfile.mkdtemp(prefix="hall-chaos-"))
        bport = free_port_base(2)
        self.broker = ChaosBroker(self.tmp / "rabbit", f"chaos-{bport}", bport, bport + 1)
        self.hall = Hall({"HALL_DB_PREFIX": "chaos", "HALL_AMQP_URI": self.broker.amqp_uri()},
                         self.tmp / "logs", self.tmp / "secrets")
        self.cases: list[Case] = []
        self.stats = Stats()
        self.deaths: dict[str, int] = {}       # process -> deaths not by the driver's SIGKILL
        self.kills: dict[str, int] = {}        # process -> SIGKILLs the driver sent
        self.windows: dict[str, int] = {}      # process -> deaths inside write→publish
        self.restarts = {"broker": 0, "database": 0}
        self.frozen: set[str] = set()
        self.faulty: set[str] = set()          # started with the fault, its death is expected
        self.next_env: dict[str, dict] = {}    # process -> the fault it is to restart with
        self.ready_after: dict[str, list[float]] = {}  # process -> seconds from restart to ready
        self.actions: list[Action] = []
        self.log: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.RLock()

    # -- the hall and its supervisor ---------------------------------------------------------
    def start(self) -> None:
        self.broker.start()
        self.hall.start_database(str(self.tmp / "db"), free_port_base(1))
        self.hall.env["HALL_PORT_BASE"] = str(free_port_base(70))  # chosen late: the broker took seconds
        self.hall.start_all()
        self.mongo = pymongo.MongoClient(self.hall.env["HALL_MONGO_URI"], retryWrites=False,
                                         serverSelectionTimeoutMS=5000)
        s = self.hall.settings
        self.address = s.address("gateway")
        self.channel = grpc.insecure_channel(self.address)
        staffing = Staffing(self.address, self.hall.admin_password_file.read_text().strip(), channel=self.channel)
        cat = load_catalogue(s.reference_dir)
        self.item = next(i for i in cat.items.values() if len(i.departments) == 1 and not i.classified
                         and i.promised_limit > 0 and not cat.missing_delegations(i.code, datetime.now().date()))

        def client(role, department=""):
            sid = f"chaos-{role}"
            staffing.ensure(sid, role, "LX00", department)
            return staffing.client(sid, role)
        self.clerk, self.reviewer, self.issuer = client("clerk"), client("reviewer", self.item.lead), client("issuer")
        self.watcher = Watcher(s.amqp_uri)
        threading.Thread(target=self._supervise, daemon=True, name="supervisor").start()

    def note(self, text: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {text}"
        self.log.append(line)
        if self.args.verbose:
            print(line, flush=True)

    def _supervise(self) -> None:
        """Restart whatever died, as a supervisor would (with the fault the chaos driver asked
        for, else none). Every process is started from this one long-lived thread: the
        processes ask the kernel for SIGTERM when the *thread* that started them ends
        (PR_SET_PDEATHSIG), so one started from a short-lived thread would die with it."""
        while not self.stop.is_set():
            with self.lock:
                for name in self.hall.dead():
                    code = self.hall.procs[name].returncode
                    if code != -signal.SIGKILL:  # the driver counts its own kills
                        self.deaths[name] = self.deaths.get(name, 0) + 1
                    if name in self.faulty and code == 70:
                        self.windows[name] = self.windows.get(name, 0) + 1
                    self.faulty.discard(name)
                    self.hall.procs.pop(name)
                    extra = self.next_env.pop(name, None)
                    if extra:
                        self.faulty.add(name)
                    self.note(f"{name} exited ({code}); restarting{' with ' + str(extra) if extra else ''}")
                    self.hall.start(name, extra)
                    threading.Thread(target=self._time_ready, args=(name, time.monotonic()), daemon=True).start()
            self.stop.wait(0.2)

    def _time_ready(self, name: str, since: float) -> None:
        try:
            self.hall.wait_ready(name, 120)
        except Exception:
            return
        with self.lock:
            self.ready_after.setdefault(name, []).append(time.monotonic() - since)

    def act(self, a: Action) -> None:
        a.done_at = time.monotonic()
        self.note(f"chaos: {a.kind} {a.target} {a.arg or ''}")
        if a.kind in ("kill", "window"):
            with self.lock:
                proc = self.hall.procs.get(a.target)
                if a.kind == "window":  # the supervisor restarts it with the fault
                    self.next_env[a.target] = {"HALL_FAULT": "exit_before_publish",
                                               "HALL_FAULT_AFTER": str(a.arg)}
                if proc and proc.poll() is None:
                    proc.send_signal(signal.SIGCONT)  # a frozen process dies too
                    proc.kill()
                    proc.wait()
                    self.kills[a.target] = self.kills.get(a.target, 0) + 1
        elif a.kind == "broker":
            self.broker.kill()
            self.broker.start()
            self.restarts["broker"] += 1
        elif a.kind == "database":
            self.hall.restart_database()
            self.restarts["database"] += 1
        elif a.kind == "freeze":
            proc = self.hall.procs.get(a.target)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGSTOP)
                threading.Timer(a.arg, lambda: proc.poll() is None and proc.send_signal(signal.SIGCONT)).start()
        self.note(f"chaos: {a.kind} {a.target} done")

    def _chaos(self, t0: float) -> None:
        for a in self.actions:
            if self.stop.wait(max(0.0, t0 + a.at - time.monotonic())):
                return
            try:
                self.act(a)
            except Exception as exc:
                self.note(f"chaos action {a.kind} {a.target} failed: {exc!r}")

    # -- the clients -------------------------------------------------------------------------
    def call(self, c: Case, method: str, fn, done=None, deadline: float = STEP_TIMEOUT):
        """Call until answered OK, retrying what may not have taken effect with the same
        request (same key). FAILED_PRECONDITION: not possible yet — or, after an unclear
        answer, already done (then `done()` says so)."""
        end = time.monotonic() + deadline
        seen: list[str] = []
        pause = 0.2
        while True:
            try:
                result = fn()
                if seen:
                    self.stats.retried_ok(method, seen)
                return result
            except grpc.RpcError as exc:
                code = exc.code()
                if code == grpc.StatusCode.FAILED_PRECONDITION:
                    if seen and done and done():
                        self.stats.retried_ok(method, seen)
                        return None
                elif code in RETRY:
                    self.stats.error(method, code.name)
                    c.errors.append((method, code.name))
                    seen.append(code.name)
                else:
                    self.stats.error(method, code.name)
                    c.errors.append((method, code.name))
                    raise
                if time.monotonic() > end:
                    raise
            time.sleep(pause)
            pause = min(2.0, pause * 1.5)

    def history(self, case_no: str) -> set[str]:
        try:
            return {e.event_type for e in self.clerk.case(case_no).history}
        except grpc.RpcError:
            return set()

    def wait_step(self, case_no: str, type_: str, timeout: float = STEP_TIMEOUT) -> None:
        """Until the bus tells the step happened; now and then ask the gateway too (a watcher
        reconnecting may have been slow)."""
        flag = self.watcher.flag(case_no, type_)
        end = time.monotonic() + timeout
        while not flag.wait(10):
            if type_ in self.history(case_no):
                return
            if time.monotonic() > end:
                raise TimeoutError(f"{type_} never came")

    def pickup_code(self, case_no: str) -> str:
        end = time.monotonic() + STEP_TIMEOUT
        while True:
            try:
                doc = self.mongo[self.hall.settings.database("delivery")].issuances.find_one(
                    {"_id": case_no}, {"notices": 1})
                if doc and doc.get("notices"):
                    return doc["notices"][0]["code"]  # the applicant's SMS
            except pymongo.errors.PyMongoError:
                pass
            if time.monotonic() > end:
                raise TimeoutError("no pickup code")
            time.sleep(1)

    def one_case(self, c: Case) -> None:
        try:
            applicant = person(random.Random(f"{self.args.seed}-{c.i}"))
            r = self.call(c, "AcceptApplication", lambda: self.clerk.accept(self.item.code, applicant, key=c.key))
            c.case_no, c.accepted = r.case_no, True
            self.wait_step(c.case_no, "case_routed")
            self.call(c, "RecordDecision", lambda: self.reviewer.decide(c.case_no, "approve"),
                      done=lambda: "case_decided" in self.history(c.case_no))
            c.decided = True
            self.wait_step(c.case_no, "result_ready")
            code = self.pickup_code(c.case_no)
            self.call(c, "RecordPickup", lambda: self.issuer.pickup(c.case_no, code, applicant["id_number"]),
                      done=lambda: "result_issued" in self.history(c.case_no))
            c.picked_up = True
            self.wait_step(c.case_no, "case_closed")
            c.closed_at = self.watcher.when.get((c.case_no, "case_closed"), time.monotonic())
        except (grpc.RpcError, TimeoutError) as exc:
            c.failure = exc.code().name if isinstance(exc, grpc.RpcError) else str(exc)
        except Exception as exc:  # the client's own bug: counted, never hidden
            c.failure = f"{type(exc).__name__}: {exc}"

    # -- the campaign ------------------------------------------------------------------------
    def run(self) -> dict:
        a = self.args
        self.start()
        duration = a.cases / a.rate
        targets = a.targets.split(",") if a.targets else DISTRICT
        self.actions = plan(a.seed, duration, a.kills, a.window, a.broker, a.database, a.freeze, targets)
        self.note(f"seed {a.seed}: {a.cases} cases at {a.rate}/s, {len(self.actions)} faults")
        t0 = time.monotonic()
        chaos = threading.Thread(target=self._chaos, args=(t0,), daemon=True, name="chaos")
        chaos.start()
        with ThreadPoolExecutor(max(64, int(a.rate * 120))) as pool:
            for i in range(a.cases):
                delay = t0 + i / a.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                c = Case(i, f"chaos-{a.seed}-{i}", time.monotonic())
                self.cases.append(c)
                pool.submit(self.one_case, c)
            self.note("all cases started")
        chaos.join()
        ran = time.monotonic() - t0
        time.sleep(2)
        self.stop.set()
        self.watcher.stopped = True
        time.sleep(0.5)
        found = chaos_check.check(self.mongo, self.hall.settings, self.broker, self.cases)
        return self.summary(found, ran)

    def recovery(self) -> list[tuple[Action, float]]:
        """Per fault: seconds from the fault until a case started after it closed."""
        closes = sorted((c.started, c.closed_at) for c in self.cases if c.closed_at)
        out = []
        for act in self.actions:
            if act.done_at is None:
                continue
            after = [end for start, end in closes if start >= act.done_at]
            if after:
                out.append((act, min(after) - act.done_at))
        return out

    def summary(self, found: dict, ran: float) -> dict:
        a = self.args
        per_fault = self.recovery()
        rec = [r for _, r in per_fault]
        lines = [f"## Chaos campaign: {machine()}", "",
                 f"Seed {a.seed}; {a.cases} cases offered at {a.rate}/s through the gateway "
                 f"({ran:.0f} s); item {self.item.code}; own RabbitMQ node and SecantusDB.", "",
                 "| measure | value |", "| --- | --- |",
                 f"| cases run (accepted, in the intake store) | {found['accepted']} |",
                 f"| closed | {found['closed']} |",
                 f"| lost (accepted, not closed, or an OK answer without its effect) | {found['lost']} |",
                 f"| duplicated (a step stored or applied more than once) | {found['duplicated']} |",
                 f"| dead letters (explained below) | {len(found['dead_letters'])} |",
                 f"| messages left in other queues | {found['queued']} |",
                 f"| broker restarts (SIGKILL, own node) | {self.restarts['broker']} |",
                 f"| database restarts (SIGKILL) | {self.restarts['database']} |",
                 f"| recovery after a fault, p50 / p99 s (until a case started after it closed) | "
                 f"{pct(rec, 50):.1f} / {pct(rec, 99):.1f} (n={len(rec)}) |", "",
                 "| process | SIGKILLs | died inside write→publish (fault) | died otherwise | frozen |",
                 "| --- | --- | --- | --- | --- |"]
        frozen = {x.target: x.arg for x in self.actions if x.kind == "freeze" and x.done_at}
        for name in DISTRICT:
            w = self.windows.get(name, 0)
            lines.append(f"| {name} | {self.kills.get(name, 0)} | {w} | {self.deaths.get(name, 0) - w} | "
                         f"{str(frozen[name]) + ' s' if name in frozen else ''} |")
        lines += ["", "| fault | n | cases flow again after, p50 / max s | restart → ready, p50 / max s |",
                  "| --- | --- | --- | --- |"]
        kinds: dict[str, list[float]] = {}
        for act, r in per_fault:
            kinds.setdefault(f"{act.kind} {act.target}".strip(), []).append(r)
        for k, v in sorted(kinds.items()):
            ready = self.ready_after.get(k.split(" ", 1)[-1], []) if k.split(" ")[0] in ("kill", "window") else []
            lines.append(f"| {k} | {len(v)} | {pct(v, 50):.1f} / {max(v):.1f} | "
                         + (f"{pct(ready, 50):.1f} / {max(ready):.1f} |" if ready else "|"))
        lines += ["", "| client errors: call, code | seen | retried with the same request, then OK |",
                  "| --- | --- | --- |"]
        for (m, code), n in sorted(self.stats.errors.items()):
            lines.append(f"| {m} {code} | {n} | {self.stats.recovered.get((m, code), 0)} |")
        if not self.stats.errors:
            lines.append("| none | 0 | 0 |")
        failed = [c for c in self.cases if c.failure]
        if failed:
            lines += ["", f"Client-side failures ({len(failed)}): " + "; ".join(
                f"{c.key} {c.case_no or '-'}: {c.failure}" for c in failed[:20])]
        if found["problems"]:
            lines += ["", "Problems found:"] + [f"- {p}" for p in found["problems"][:50]]
        if found["dead_letters"]:
            lines += ["", "Dead letters:"] + [f"- {d}" for d in found["dead_letters"][:50]]
        lines.append("")
        return {"report": "\n".join(lines), **found, "recovery": rec, "ready_after": dict(self.ready_after), "errors": dict(self.stats.errors),
                "kills": dict(self.kills), "windows": dict(self.windows), "restarts": dict(self.restarts),
                "client_failures": len(failed)}

    def close(self) -> None:
        self.stop.set()
        try:
            self.channel.close()
        except AttributeError:
            pass
        for proc in self.hall.procs.values():  # all at once: stop_all waits for each in turn
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
        self.hall.stop_all()
        self.broker.kill()  # its data is the campaign's own, in a temporary directory


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=int, default=10000)
    p.add_argument("--rate", type=float, default=5.0, help="cases started per second")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--kills", type=int, default=3, help="SIGKILLs of every process")
    p.add_argument("--targets", default="", help="comma-separated processes to kill (default: all)")
    p.add_argument("--no-window", dest="window", action="store_false",
                   help="no deaths inside the write→publish window")
    p.add_argument("--broker", type=int, default=1, help="broker restarts")
    p.add_argument("--database", type=int, default=1, help="database restarts")
    p.add_argument("--freeze", type=float, default=30.0, help="seconds one worker is frozen (0: none)")
    p.add_argument("--record", action="store_true", help="append the report to docs/reliability.md")
    p.add_argument("--verbose", action="store_true")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(10**6)
    campaign = Campaign(args)
    try:
        result = campaign.run()
    finally:
        campaign.close()
    print(result["report"])
    (campaign.tmp / "chaos.log").write_text("\n".join(campaign.log))
    print(f"driver log: {campaign.tmp / 'chaos.log'}; process logs: {campaign.tmp / 'logs'}")
    if args.record:
        with open(RESULTS, "a") as f:
            if f.tell() == 0:
                f.write("# Reliability: chaos campaigns\n\nAppended by `make chaos` (bench/chaos.py): "
                        "cases through the gateway while processes, the broker and the database die.\n\n")
            f.write(result["report"] + "\n")
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
