"""`make fuzz N=10000`: requests generated from the protos for every public gateway method.

Requests are drawn with hypothesis from each method's request descriptor: most fields take a
valid value from the reference data and from what the hall answered so far (cases, tickets,
consultations, verification codes), the rest a mutation — an undefined enum number, a huge or
blank string, control and bidirectional-override characters, query operators, dotted paths,
overlong repeated fields — and some requests are bytes that decode to nothing. Each is sent
by one of the hall's roles, by nobody, or with a garbage, truncated or forged token.

A finding is an answer of INTERNAL, UNKNOWN, UNAVAILABLE, DATA_LOSS or DEADLINE_EXCEEDED; a
message over 500 characters; a response over its size bound; a traceback in any service log.
After the campaign the cases that existed before it are compared with what they were, and a
new case goes through end to end (accept → route → decide → pickup → closed).

The suite runs a short version (tests/integration/test_fuzz.py); the long one prints its table
of codes per method and appends it to docs/fuzz.md.
"""
from __future__ import annotations

import argparse
import base64
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import grpc
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor as FD
from hypothesis import HealthCheck, given, settings, strategies as st

from hall.catalogue import load_catalogue
from hall.domain import identity
from hall.tools.sample import company, person
from hall.v1 import staff_pb2
from services.gateway.server import PARTS

FAILING = {"INTERNAL", "UNKNOWN", "UNAVAILABLE", "DATA_LOSS", "DEADLINE_EXCEEDED"}
MAX_DETAILS = 500
MAX_RESPONSE = 512 * 1024                      # bytes of any answer but the two below
LARGE = {"GetCatalogueSnapshot": 8 * 2**20, "GetHandbook": 8 * 2**20}
HOSTILE = ["", " ", "\u3000\t", "$gt", "$where", "a.b", "children", "_id", '{"$ne": null}', "\x00", "X\x00Y",
           "\u202e\u2066evil", "<script>alert(1)</script>", "' OR '1'='1", "../../etc/passwd", "%s%n%x",
           "\ud7ff\ufeff", "NaN", "-1", "A" * 5000, "名" * 20000, "\n" * 300, "LX00-20260101-00001\x00"]
BAD_ENUMS = [7, 99, -1, 2**31 - 1]
OUTCOMES = ["approve", "reject", "approve_with_conditions", "commit", "pass", "return", ""]
DIMENSIONS = ["department", "window", "staff", "site", "item", "day"]


@dataclass
class Pools:
    """Valid values: the catalogue's codes and what the hall has answered so far."""
    items: list
    departments: list
    sites: list
    windows: list
    sectors: list
    roles: list = field(default_factory=lambda: ["clerk", "reviewer", "chief", "issuer", "supervisor", "admin"])
    cases: list = field(default_factory=lambda: ["LX00-20260101-00001"])
    tickets: list = field(default_factory=lambda: ["T-none"])
    ids: list = field(default_factory=lambda: ["T-none"])       # consultations, prereviews, notices
    codes: list = field(default_factory=lambda: ["AAAA-BBBB-CCCC-DDDD"])  # verification codes
    staff: list = field(default_factory=lambda: ["fuzz-clerk"])
    people: list = field(default_factory=list)

    @classmethod
    def of(cls, catalogue, rng: random.Random) -> "Pools":
        sectors = [s.name for s in catalogue.sectors.values()] + [s.code for s in catalogue.sectors.values()]
        items = [i.code for i in catalogue.items.values() if not i.classified]
        return cls(items, sorted(catalogue.departments), sorted(catalogue.sites), sorted(catalogue.windows),
                   sectors, people=[person(rng) for _ in range(20)] + [company(rng) for _ in range(5)])

    def learn(self, message) -> None:
        """Remember the case numbers, tickets and ids an answer names, for later requests."""
        for fd, value in message.ListFields():
            if fd.type == FD.TYPE_MESSAGE:
                if fd.message_type.GetOptions().map_entry:
                    continue
                for v in (value if fd.is_repeated else [value]):
                    self.learn(v)
            elif fd.type == FD.TYPE_STRING and not fd.is_repeated and value:
                pool = {"case_no": self.cases, "ticket_id": self.tickets, "consultation_id": self.ids,
                        "id": self.ids, "notice_id": self.ids, "follow_up_id": self.ids,
                        "verification_code": self.codes}.get(fd.name)
                if pool is not None and value not in pool and len(pool) < 500:
                    pool.append(value)


def _live(pool: list):
    """A value of a pool that may grow while the campaign runs."""
    return st.integers(0, 10**6).map(lambda i: pool[i % len(pool)])


def _string(name: str, pools: Pools, hostile_too: bool = True):
    p = pools
    valid = {
        "item_code": _live(p.items), "code": _live(p.items), "department": _live(p.departments),
        "departments": _live(p.departments), "site": _live(p.sites), "window": _live(p.windows),
        "windows": _live(p.windows), "position": _live(p.windows), "sector": _live(p.sectors),
        "sectors": _live(p.sectors), "role": _live(p.roles), "roles": _live(p.roles),
        "case_no": _live(p.cases), "ticket_id": _live(p.tickets), "consultation_id": _live(p.ids),
        "id": _live(p.ids), "notice_id": _live(p.ids), "follow_up_id": _live(p.ids),
        "verification_code": _live(p.codes), "staff_id": _live(p.staff), "assignee": _live(p.staff),
        "id_number": _live(p.people).map(lambda a: a["id_number"]), "holder_id": _live(p.people).map(lambda a: a["id_number"]),
        "name": _live(p.people).map(lambda a: a["name"]), "phone": _live(p.people).map(lambda a: a["phone"]),
        "legal_representative": st.sampled_from(["王伟", "李娜"]), "outcome": st.sampled_from(OUTCOMES),
        "group_by": st.sampled_from(DIMENSIONS), "pickup_code": st.integers(0, 999999).map(lambda n: f"{n:06d}"),
        "idempotency_key": st.uuids().map(str), "on_date": st.just(date.today().isoformat()),
        "from_date": st.just(date.today().replace(day=1).isoformat()), "to_date": st.just(date.today().isoformat()),
        "valid_until": st.just("2099-12-31"), "form": st.sampled_from(["original", "copy", "electronic"]),
        "address": st.sampled_from(["济南市历下区泺源大街1号", "济南市历下区解放路100号"]),
        "reason": st.just("材料不齐全"), "legal_basis": st.just("《中华人民共和国行政许可法》第三十二条"),
    }.get(name, st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
                        min_size=1, max_size=30).filter(str.strip))
    if not hostile_too:
        return valid
    hostile = st.sampled_from(HOSTILE) | st.text(max_size=300)
    return st.integers(0, 9).flatmap(lambda n: valid if n < 7 else hostile)


def _scalar(fd, pools: Pools, hostile_too: bool):
    if fd.type == FD.TYPE_STRING:
        return _string(fd.name, pools, hostile_too)
    if fd.type == FD.TYPE_ENUM:
        defined = [v.number for v in fd.enum_type.values]
        if not hostile_too:
            return st.sampled_from(defined)
        return st.integers(0, 9).flatmap(lambda n: st.sampled_from(defined) if n < 8 else st.sampled_from(BAD_ENUMS))
    if fd.type == FD.TYPE_BOOL:
        return st.booleans()
    if fd.type == FD.TYPE_BYTES:
        return st.binary(max_size=64) | st.just(b"\x89PNG" * 100_000) if hostile_too else st.binary(max_size=64)
    if fd.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        return st.floats(allow_nan=True) if hostile_too else st.floats(0, 100)
    return st.integers(-5, 600) | st.sampled_from([2**31 - 1, -2**31]) if hostile_too else st.integers(1, 50)


def message(desc, pools: Pools, depth: int = 0, hostile_too: bool = True):
    """A strategy for messages of `desc`: every field optional; with `hostile_too` a field's
    value is a mutation three times in ten, else always a valid one."""
    fields = {}
    for fd in desc.fields:
        if fd.type == FD.TYPE_MESSAGE:
            if depth >= 3:
                continue
            if fd.message_type.GetOptions().map_entry:
                elem = st.dictionaries(_string("key", pools), _string("value", pools), max_size=3)
                fields[fd.name] = elem
                continue
            elem = message(fd.message_type, pools, depth + 1, hostile_too)
        else:
            elem = _scalar(fd, pools, hostile_too)
        if fd.is_repeated:
            elem = st.lists(elem, max_size=3) | st.lists(elem, min_size=150, max_size=150) if hostile_too \
                else st.lists(elem, min_size=1, max_size=3)
        fields[fd.name] = elem
    cls = _class(desc)
    if not hostile_too and desc.name == "Applicant":  # a coherent person or company of the pools
        kinds = {v.name: v.number for v in desc.enum_types_by_name["Kind"].values}
        return _live(pools.people).map(lambda a: cls(**{**a, "kind": kinds[a["kind"].upper()]}))
    if not hostile_too:  # a valid request names every field
        return st.fixed_dictionaries(fields).map(lambda d: _build(cls, d))
    return st.fixed_dictionaries({}, optional=fields).map(lambda d: _build(cls, d))


def _class(desc):
    from google.protobuf import message_factory
    return message_factory.GetMessageClass(desc)


def _build(cls, values: dict):
    m = cls()
    for name, value in values.items():
        target = getattr(m, name)
        fd = m.DESCRIPTOR.fields_by_name[name]
        if fd.type == FD.TYPE_MESSAGE and fd.message_type.GetOptions().map_entry:
            target.update(value)
        elif fd.is_repeated:
            (target.extend(value) if fd.type != FD.TYPE_MESSAGE else [target.add().CopyFrom(v) for v in value])
        elif fd.type == FD.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(m, name, value)
    return m


def methods() -> list[tuple[str, object]]:
    """Every public gateway method: (full name, method descriptor)."""
    out = []
    for service, (module, _) in PARTS.items():
        for m in module.DESCRIPTOR.services_by_name[service.rsplit(".", 1)[1]].methods:
            out.append((f"/{service}/{m.name}", m))
    return out


CALLERS = ("none", "garbage", "truncated", "forged", "alg-none", "clerk", "clerk@LX03", "reviewer", "chief", "issuer",
           "supervisor", "admin", "system")


class Campaign:
    """Sends generated requests to a running hall (tests.integration.hallfixture.TestHall)."""

    def __init__(self, hall, seed: int = 0):
        self.hall, self.rng = hall, random.Random(seed)
        self.pools = Pools.of(load_catalogue(hall.settings.reference_dir), self.rng)
        self.dept = self.pools.departments[0]
        self.sessions = self._sessions()
        self.table: dict[str, Counter] = defaultdict(Counter)
        self.findings: list[str] = []
        self.sent = 0

    def _session(self, key: str) -> tuple:
        """A new session of the campaign's member `key`, reactivated and unlocked first: the
        campaign itself signs its members out, deactivates and locks them."""
        role, site, dept = self.members[key]
        sid = f"fuzz-{key.replace('@', '-').lower()}"
        st_ = self.hall.staffing
        for call, request in ((st_.stub.ReactivateStaff, "ReactivateStaffRequest"), (st_.stub.UnlockStaff, "UnlockStaffRequest")):
            try:
                call(getattr(staff_pb2, request)(staff_id=sid), metadata=st_.md, timeout=10)
            except grpc.RpcError:
                pass  # not there yet, or neither deactivated nor locked
        st_._clients.pop((sid, role), None)
        return self.hall.client(role, site=site, department=dept, staff_id=sid).metadata

    def _sessions(self) -> dict[str, tuple]:
        h, md = self.hall, {}
        self.members = members = {"clerk": ("clerk", "LX00", ""), "clerk@LX03": ("clerk", "LX03", ""),
                   "reviewer": ("reviewer", "LX00", self.dept), "chief": ("chief", "LX00", self.dept),
                   "issuer": ("issuer", "LX00", ""), "supervisor": ("supervisor", "LX00", ""),
                   "admin": ("admin", "LX00", "")}  # an administrator of its own: it may sign itself out
        for key, (role, site, dept) in members.items():
            client = h.client(role, site=site, department=dept, staff_id=f"fuzz-{key.replace('@', '-').lower()}")
            md[key] = client.metadata
            self.pools.staff.append(client.actor.staff_id)
        self.renewed: set = set()
        md["system"] = h.kiosk("LX00").metadata
        token = dict(md["clerk"])["authorization"]
        head, payload, signature = token[7:].split(".") if token.count(".") == 2 else (token[7:], "", "")
        forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) if payload else {}
        forged.update(role="admin", roles=["admin"])
        forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
        md["none"] = ()
        md["garbage"] = (("authorization", "Bearer " + "x" * 40),)
        md["truncated"] = (("authorization", token[:-10]),)
        md["forged"] = (("authorization", f"Bearer {head}.{forged_payload}.{signature}"),)
        unsigned = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
        md["alg-none"] = (("authorization", f"Bearer {unsigned}.{forged_payload}."),)
        return md

    def send(self, full: str, method, request, caller: str) -> None:
        raw = request if isinstance(request, bytes) else request.SerializeToString()
        stub = self.hall.channel.unary_unary(full)
        name = full.rsplit("/", 1)[1]
        self.sent += 1
        try:
            answer = stub(raw, metadata=self.sessions[caller], timeout=15)
        except grpc.RpcError as exc:
            code, details = exc.code().name, exc.details() or ""
            self.table[name][code] += 1
            if code == "UNAUTHENTICATED" and caller in self.members and (name, caller) not in self.renewed:
                self.renewed.add((name, caller))  # signed out or deactivated by an earlier request
                self.sessions[caller] = self._session(caller)
            if code in FAILING:
                self.findings.append(f"{name} as {caller}: {code} {details[:200]!r} for {_shown(request)}")
            if len(details) > MAX_DETAILS:
                self.findings.append(f"{name} as {caller}: a message of {len(details)} characters")
            return
        self.table[name]["OK"] += 1
        if len(answer) > LARGE.get(name, MAX_RESPONSE):
            self.findings.append(f"{name} as {caller}: an answer of {len(answer)} bytes")
        try:
            self.pools.learn(_class(method.output_type).FromString(answer))
        except Exception as exc:  # an answer that is not its declared message is a finding too
            self.findings.append(f"{name} as {caller}: the answer does not decode ({exc})")

    def run(self, n: int, seed: int = 0) -> None:
        """About `n` requests spread over every public method."""
        every = methods()
        per_method = max(1, n // len(every))
        for full, method in every:
            self._one_method(full, method, per_method, seed)

    def _one_method(self, full: str, method, count: int, seed: int) -> None:
        valid = message(method.input_type, self.pools, hostile_too=False)
        mutated = message(method.input_type, self.pools)
        undecodable = st.binary(min_size=1, max_size=40).filter(lambda b: not _decodes(method, b))
        # half valid requests, the rest mutated, one in twenty bytes that decode to nothing
        request = st.integers(0, 19).flatmap(lambda n: undecodable if n == 0 else valid if n < 11 else mutated)
        allowed = identity.METHOD_ROLES.get(full.lstrip("/"), ())
        fitting = [c for c in CALLERS if allowed == identity.PUBLIC or c.split("@")[0] in allowed] or list(CALLERS)
        # mostly a caller the method is open to, so the request reaches its handler
        caller = st.integers(0, 9).flatmap(lambda n: st.sampled_from(fitting) if n < 7 else st.sampled_from(CALLERS))

        @settings(max_examples=count, database=None, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=("generate",))
        @given(request=request, caller=caller)
        def probe(request, caller):
            self.send(full, method, request, caller)

        probe()

    def report(self) -> str:
        lines = ["| method | requests | " + " | ".join(_COLUMNS) + " |",
                 "| --- | --- | " + " | ".join("---" for _ in _COLUMNS) + " |"]
        for name in sorted(self.table):
            row = self.table[name]
            lines.append(f"| {name} | {sum(row.values())} | " + " | ".join(str(row.get(c, 0) or "") for c in _COLUMNS) + " |")
        total = Counter()
        for row in self.table.values():
            total.update(row)
        lines.append(f"| **all** | {sum(total.values())} | " + " | ".join(str(total.get(c, 0) or "") for c in _COLUMNS) + " |")
        return "\n".join(lines)


_COLUMNS = ("OK", "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "PERMISSION_DENIED", "UNAUTHENTICATED",
            "ALREADY_EXISTS", "RESOURCE_EXHAUSTED", "UNIMPLEMENTED", "INTERNAL", "UNKNOWN", "UNAVAILABLE",
            "DEADLINE_EXCEEDED")


def _decodes(method, raw: bytes) -> bool:
    try:
        _class(method.input_type).FromString(raw)
        return True
    except Exception:
        return False


def _shown(request) -> str:
    if isinstance(request, bytes):
        return f"{len(request)} undecodable bytes"
    text = json_format.MessageToJson(request, indent=None)
    return text if len(text) < 300 else text[:300] + "…"


# -- the hall before and after ------------------------------------------------------------
CASE_KEYS = ("_id", "case_no")


def tracebacks(log_dir: Path) -> dict[str, int]:
    """How many tracebacks each process's log holds."""
    return {p.name: p.read_text(errors="replace").count("Traceback") for p in Path(log_dir).glob("*.log")}


def snapshot(hall, case_nos: list[str]) -> dict:
    """Every stored document of these cases in every service's database (the relay's
    bookkeeping of sent events left out: it changes as the outbox works)."""
    out = {}
    for service in ("intake", "routing", "approval", "delivery", "sla"):
        db = hall.db(service)
        for name in sorted(db.list_collection_names()):
            if name.startswith("outbox") or name in ("audit",):
                continue
            for doc in db[name].find({"$or": [{k: {"$in": case_nos}} for k in CASE_KEYS]}):
                out[f"{service}.{name}.{doc['_id']}"] = json.dumps(doc, default=str, sort_keys=True)
    return out


def audit_chains(hall, var_dir: Path) -> subprocess.CompletedProcess:
    """`python -m hall.tools.audit verify` over the hall's chains (every call the campaign made
    that touched a case or personal data is an entry)."""
    from tests.integration.helpers import audit_verify
    return audit_verify(hall, var_dir)


def end_to_end(hall, item, applicant=None) -> str:
    """A new case through every step; its number once closed."""
    from tests.integration.hallfixture import eventually, on_worklists
    applicant = applicant or person(random.Random())
    clerk = hall.client("clerk")
    case_no = clerk.accept(item.code, applicant).case_no
    eventually(lambda: clerk.case(case_no).status == "routed", "routing", timeout=60)
    on_worklists(hall, case_no, item.departments)
    for dept in item.departments:
        hall.client("reviewer", department=dept).decide(case_no, "approve")
    sms = eventually(lambda: hall.db("delivery").messages.find_one({"case_no": case_no, "kind": "pickup_code"}),
                     "the pickup code", timeout=60)
    hall.client("issuer").pickup(case_no, sms["code"], applicant["id_number"])
    eventually(lambda: clerk.case(case_no).status == "closed", "closing", timeout=60)
    return case_no


def simple_item(catalogue):
    today = date.today()
    return next(i for i in sorted(catalogue.items.values(), key=lambda i: i.code)
                if len(i.departments) == 1 and not i.classified and i.promised_limit > 0
                and not catalogue.missing_delegations(i.code, today))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000, help="requests in all (spread over every method)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to docs/fuzz.md")
    args = parser.parse_args()
    from bench import record
    from hall.runtime.launcher import wait_port
    from tests.integration.hallfixture import TestHall, free_port_base

    tmp = Path(tempfile.mkdtemp(prefix="hall-fuzz-"))
    port = free_port_base(1)
    db = subprocess.Popen([str(Path(sys.executable).with_name("secantusd-py")), "--host", "127.0.0.1", "--port",
                           str(port), "--storage-path", str(tmp / "db")], stdout=open(tmp / "db.log", "wb"),
                          stderr=subprocess.STDOUT)
    wait_port("127.0.0.1", port, 30)
    h = TestHall(f"mongodb://127.0.0.1:{port}/?retryWrites=false", tmp / "logs")
    try:
        h.hall.start_all()
        item = simple_item(load_catalogue())
        before_cases = [end_to_end(h, item), h.client("clerk").accept(item.code, person(random.Random(1))).case_no]
        time.sleep(3)  # the second case settles (routed) before its documents are taken
        before, traces = snapshot(h, before_cases), tracebacks(h.hall.log_dir)
        campaign = Campaign(h, args.seed)
        started = time.monotonic()
        campaign.run(args.n, args.seed)
        took = time.monotonic() - started
        changed = [k for k, v in snapshot(h, before_cases).items() if before.get(k) != v]
        new_traces = {k: v - traces.get(k, 0) for k, v in tracebacks(h.hall.log_dir).items() if v > traces.get(k, 0)}
        after = end_to_end(h, item)
        chains = audit_chains(h, tmp)
        report = "\n".join([
            f"## Fuzz campaign: {record.machine()}", "",
            f"{campaign.sent} requests (seed {args.seed}) in {took:.0f} s over {len(campaign.table)} methods, "
            f"by {len(CALLERS)} kinds of caller (roles, none, garbage, truncated and forged tokens).", "",
            campaign.report(), "",
            f"Findings: {len(campaign.findings)}" + "".join(f"\n- {f}" for f in campaign.findings[:50]), "",
            f"Tracebacks in service logs during the campaign: {new_traces or 'none'}.",
            f"Cases that existed before ({', '.join(before_cases)}): {len(before)} documents, "
            f"{len(changed)} changed{': ' + ', '.join(changed) if changed else ''}.",
            f"A new case end to end afterwards: {after} closed.",
            f"The audit chains afterwards (python -m hall.tools.audit verify, exit {chains.returncode}):", "",
            *[f"    {line}" for line in chains.stdout.strip().splitlines()], ""])
        print(report)
        if not args.no_record:
            path = Path(__file__).resolve().parents[1] / "docs" / "fuzz.md"
            with open(path, "a") as f:
                if f.tell() == 0:
                    f.write("# Fuzz campaigns\n\nAppended by `make fuzz N=…` (bench/fuzz.py). A finding is an "
                            "answer of INTERNAL, UNKNOWN, UNAVAILABLE, DATA_LOSS or DEADLINE_EXCEEDED, a message "
                            "over 500 characters, an answer over its size bound, or a traceback in a log.\n\n")
                f.write(report + "\n")
        sys.exit(1 if campaign.findings or new_traces or changed or chains.returncode else 0)
    finally:
        h.close()
        db.terminate()


if __name__ == "__main__":
    main()
