"""A RabbitMQ node of the chaos campaign's own, so it can be killed and restarted without
touching the machine's shared broker on 5672 (other sessions' tests use it).

Everything of the node lives under `base`: its Erlang cookie (HOME), config, data, logs and
an empty plugin list (no management or prometheus ports). Only its AMQP and distribution
ports are opened, on 127.0.0.1.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from kombu import Connection

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")  # /usr/sbin's wrappers switch to the rabbitmq user


def _bin(name: str) -> str:
    local = RABBIT_BIN / name
    return str(local) if local.exists() else name


class ChaosBroker:
    def __init__(self, base: Path, name: str, amqp_port: int, dist_port: int):
        self.base, self.amqp_port, self.dist_port = Path(base), amqp_port, dist_port
        self.node = f"{name}@localhost"
        self.proc: subprocess.Popen | None = None

    @property
    def env(self) -> dict:
        b = self.base
        return {**os.environ, "HOME": str(b), "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_CONF_ENV_FILE": str(b / "rabbitmq-env.conf"),
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_NODE_PORT": str(self.amqp_port),
                "RABBITMQ_DIST_PORT": str(self.dist_port), "RABBITMQ_CONFIG_FILE": str(b / "rabbitmq.conf"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(b / "advanced.config"),
                "RABBITMQ_MNESIA_BASE": str(b / "mnesia"), "RABBITMQ_LOG_BASE": str(b / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(b / "enabled_plugins"),
                "RABBITMQ_PID_FILE": str(b / "rabbit.pid"), "ERL_EPMD_ADDRESS": "127.0.0.1"}

    def amqp_uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}//"

    def _write_config(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq-env.conf").write_text("")  # not the machine's /etc/rabbitmq one
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}\nloopback_users = none\n")
        (self.base / "advanced.config").write_text("[].\n")
        (self.base / "enabled_plugins").write_text("[].\n")

    def start(self, timeout: float = 120) -> None:
        """Start the node (same data as before, if any) and wait until it takes connections."""
        self._write_config()
        log = open(self.base / "server.log", "ab")
        self.proc = subprocess.Popen([_bin("rabbitmq-server")], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"RabbitMQ node {self.node} exited at start; see {self.base / 'server.log'}")
            try:
                with Connection(self.amqp_uri(), connect_timeout=2) as c:
                    c.connect()
                return
            except Exception:
                time.sleep(0.5)
        raise TimeoutError(f"RabbitMQ node {self.node} did not start within {timeout}s")

    def kill(self) -> None:
        """SIGKILL the node (its own process group only: the machine's epmd is not in it)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            subprocess.run([_bin("rabbitmqctl"), "-n", self.node, "stop"], env=self.env,
                           capture_output=True, timeout=60)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def queues(self) -> dict[str, int]:
        """Every queue of the node's default vhost and how many messages it holds."""
        out = subprocess.run([_bin("rabbitmqctl"), "-q", "-n", self.node, "list_queues", "name", "messages"],
                             env=self.env, capture_output=True, text=True, timeout=60).stdout
        rows = (line.split() for line in out.splitlines())
        return {r[0]: int(r[1]) for r in rows if len(r) == 2 and r[1].isdigit()}
