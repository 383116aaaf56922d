"""Start the whole hall on one machine: the database (unless MONGO_URI names one), every
service process and the gateway; stop all of it cleanly on Ctrl-C.

Used by `make run`, by the integration tests (once per session, on their own vhost, database
prefix and ports) and by `make bench`.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hall.catalogue import load_catalogue
from hall.infra import settings as settings_mod
from hall.runtime import secrets

PROCESSES = {  # name -> module arguments
    "routing-api": ["services.routing", "api"],  # first: intake waits for its catalogue
    "staff-api": ["services.staff"],  # next: every other process signs in there
    "intake-api": ["services.intake"],
    "intake-worker": ["services.intake", "worker"],
    "routing-worker": ["services.routing"],
    "approval-api": ["services.approval", "api"],
    "approval-worker": ["services.approval"],
    "delivery-api": ["services.delivery", "api"],
    "delivery-worker": ["services.delivery"],
    "carrier-sim": ["simulators.carrier"],
    "sla-api": ["services.sla", "api"],
    "sla-worker": ["services.sla"],
    "gateway": ["services.gateway"],
    "street-monitor": ["hall.runtime.street_monitor"],  # only with HALL_STREET_NODES
}
TRUST = ("routing-api", "staff-api")
# each holds a database: the services, the gateway (its audit chain), the carrier stand-in (EMS)
DATABASES = (*settings_mod.SERVICES, "gateway", "carrier")


def wait_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def wait_consuming(host: str, port: int, timeout: float) -> None:
    """Wait until a worker says (hall_consuming 1 on its metrics) that its queues are declared:
    an event published before would find no queue and be gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            body = urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=1).read().decode()
            if "\nhall_consuming 1.0" in body:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the worker with metrics on {host}:{port} is not consuming after {timeout}s")


def in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) == 0


def wait_healthy(address: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        while time.monotonic() < deadline:
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return
            except grpc.RpcError:
                time.sleep(0.2)
    raise TimeoutError(f"{address} is not healthy after {timeout}s")


class Hall:
    """A running hall: its processes, their environment and where they listen."""

    def __init__(self, env: dict, log_dir: Path, secrets_dir: Path):
        self.secrets_dir = secrets_dir
        self.env = {**os.environ, **env, "HALL_LAUNCHED": "1"}
        sites = load_catalogue(self.settings.reference_dir).sites
        self.env.update(secrets.prepare(secrets_dir, sites))
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        self.db_proc: subprocess.Popen | None = None  # the first (or only) database server
        self.db_procs: dict[str, subprocess.Popen] = {}
        log_dir.mkdir(parents=True, exist_ok=True)

    @property
    def admin_password_file(self) -> Path:
        return self.secrets_dir / "admin-password"

    @property
    def settings(self) -> settings_mod.Settings:
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            return settings_mod.load()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def start_database(self, storage: str, port: int) -> str:
        """Start the embedded MongoDB-protocol server every service shares; returns its URI."""
        uri = self._start_server(storage, port, "secantusd")
        self.db_storage, self.db_port = storage, port
        self.env["HALL_MONGO_URI"] = uri
        return uri

    def start_databases(self, storage_root: str, first_port: int) -> dict[str, str]:
        """One embedded server per service's database, on consecutive ports from `first_port`
        (HALL_<SERVICE>_MONGO_URI each): one server is one Python process held to about one
        core, so several spread the writes over the cores (docs/benchmarks.md). Returns
        {service: URI}; HALL_MONGO_URI is the first, for tools that know no service."""
        uris = {}
        for i, service in enumerate(DATABASES):
            uris[service] = self._start_server(str(Path(storage_root) / service), first_port + i,
                                               f"secantusd-{service}")
            self.env[f"HALL_{service.upper()}_MONGO_URI"] = uris[service]
        self.env["HALL_MONGO_URI"] = uris[DATABASES[0]]
        return uris

    def _start_server(self, storage: str, port: int, name: str) -> str:
        if in_use("127.0.0.1", port):
            raise RuntimeError(f"port {port} is already in use (another hall running?); "
                               "set HALL_DB_PORT or stop the other one")
        Path(storage).mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        exe = Path(sys.executable).with_name("secantusd-py")
        proc = subprocess.Popen(
            [str(exe), "--host", "127.0.0.1", "--port", str(port), "--storage-path", storage,
             "--sync-on-commit"], stdout=log, stderr=subprocess.STDOUT)
        self.db_procs[name] = proc
        self.db_proc = self.db_proc or proc
        wait_port("127.0.0.1", port, 30)
        return f"mongodb://127.0.0.1:{port}/?retryWrites=false"

    def start(self, name: str, extra_env: dict | None = None) -> subprocess.Popen:
        """Start one process. Call it from a thread that lives as long as the process should:
        the process asks for SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG)."""
        log = open(self.log_dir / f"{name}.log", "ab")
        env = {**self.env, **secrets.process_env(self.secrets_dir, name), **(extra_env or {})}
        proc = subprocess.Popen([sys.executable, "-m", *PROCESSES[name]], env=env, cwd=settings_mod.ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def wait_ready(self, name: str, timeout: float = 60) -> None:
        """Wait until a process serves (gRPC health) or listens (metrics); fail at once if it dies."""
        s, proc = self.settings, self.procs[name]
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log = self.log_dir / f"{name}.log"
                tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
                raise RuntimeError(f"{name} exited at start (code {proc.returncode}); see {log}: "
                                   + " | ".join(tail))
            try:
                if settings_mod.PORTS[name][0] is not None:
                    wait_healthy(s.address(name), 1.0)
                    if name == "gateway":  # and its HTTP port for browsers
                        wait_port(s.host, s.web_port(), 1.0)
                else:
                    wait_consuming(s.host, s.metrics_port(name), 1.0)
                return
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} is not ready after {timeout}s") from None

    def start_all(self, names=None, timeout: float = 90) -> None:
        """Start `names` (all by default) and wait until each is ready. The catalogue and the
        staff service come first whatever is asked for: every other process needs them."""
        s = self.settings
        if names is None:
            names = [n for n in PROCESSES if n != "street-monitor" or s.street_nodes]
        names = list(dict.fromkeys([*TRUST, *names]))
        taken = [f"{n}:{p}" for n in names for p in (s.metrics_port(n), *(
            [s.grpc_port(n)] if settings_mod.PORTS[n][0] is not None else [])) if in_use(s.host, p)]
        if taken:
            raise RuntimeError(f"ports already in use ({', '.join(taken)}); another hall running? "
                               "set HALL_PORT_BASE or stop the other one")
        for n in names:
            self.start(n)
        for n in names:
            self.wait_ready(n, timeout)

    def stop(self, name: str, kill: bool = False) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)
        for proc in self.db_procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.db_procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def restart_database(self, kill: bool = True) -> None:
        """Stop the embedded database (SIGKILL by default, as a crash would) and start it again
        on the same data and port; the processes reconnect on their own."""
        if self.db_proc and self.db_proc.poll() is None:
            self.db_proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.db_proc.wait(30)
        self.db_proc = None  # the one start_database starts next
        deadline = time.monotonic() + 30
        while in_use("127.0.0.1", self.db_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.start_database(self.db_storage, self.db_port)

    def dead(self) -> list[str]:
        """The processes started here that have exited (for a supervisor to restart)."""
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def endpoints(self) -> list[str]:
        s = self.settings
        lines = [f"gateway gRPC   {s.address('gateway')}",
                 f"console        http://{s.host}:{s.web_port()}/  (Connect protocol for browsers on the same port)"]
        for name in PROCESSES:
            if name == "street-monitor" and not s.street_nodes:
                continue
            lines.append(f"{name:<15} metrics http://{s.host}:{s.metrics_port(name)}/metrics")
        return lines
