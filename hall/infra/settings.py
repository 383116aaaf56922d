"""Process settings, all from the environment so Kubernetes, `make run` and the tests set them alike."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hall.domain.identity import LOOKUPS_PER_MINUTE

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "routing", "approval", "delivery", "sla", "staff")
# offsets from HALL_PORT_BASE; each process gets a gRPC port (if it serves one) and a metrics port
PORTS = {
    "gateway": (0, 1),
    "intake-api": (10, 11), "intake-worker": (None, 13),
    "routing-api": (20, 23), "routing-worker": (None, 21),
    "approval-api": (30, 31), "approval-worker": (None, 33),
    "delivery-api": (40, 41), "delivery-worker": (None, 43), "carrier-sim": (None, 45),
    "sla-api": (50, 51), "sla-worker": (None, 53),
    "staff-api": (60, 61),
}


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    mongo_uri: str
    db_prefix: str
    port_base: int
    reference_dir: Path
    public_key_files: str = ""      # os.pathsep-separated PEM files: every key a token may be signed with
    service_secret_file: str = ""   # this process's service-account secret (mode 0600)
    host: str = "127.0.0.1"         # where the other processes are reached
    bind: str = "127.0.0.1"         # where this process listens (HALL_BIND)
    audit_key_file: str = ""        # the key of the audit's hashes of ID numbers (mode 0600)
    lookups_per_minute: int = LOOKUPS_PER_MINUTE  # public look-ups by verification code per caller

    def database(self, service: str) -> str:
        return f"{self.db_prefix}_{service}"

    def mongo_uri_of(self, service: str) -> str:
        """The server holding `service`'s database: HALL_<SERVICE>_MONGO_URI where set (`make
        run` starts one embedded server per service), else the one server of every service."""
        return os.environ.get(f"HALL_{_env(service)}_MONGO_URI") or self.mongo_uri

    def grpc_port(self, process: str) -> int:
        off = PORTS[process][0]
        if off is None:
            raise KeyError(f"{process} serves no gRPC")
        return int(os.environ.get(f"HALL_{_env(process)}_GRPC_PORT", self.port_base + off))

    def metrics_port(self, process: str) -> int:
        return int(os.environ.get(f"HALL_{_env(process)}_METRICS_PORT", self.port_base + PORTS[process][1]))

    def address(self, process: str) -> str:
        host = os.environ.get(f"HALL_{_env(process)}_HOST", self.host)
        return f"{host}:{self.grpc_port(process)}"


def _env(process: str) -> str:
    return process.upper().replace("-", "_")


def load() -> Settings:
    env = os.environ
    return Settings(
        amqp_uri=env.get("HALL_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//"),
        mongo_uri=env.get("MONGO_URI") or env.get("HALL_MONGO_URI", "mongodb://127.0.0.1:27017/?retryWrites=false"),
        db_prefix=env.get("HALL_DB_PREFIX", "lixia"),
        port_base=int(env.get("HALL_PORT_BASE", "7100")),
        reference_dir=Path(env.get("HALL_REFERENCE_DIR", ROOT / "reference")),
        public_key_files=env.get("HALL_PUBLIC_KEYS", ""),
        service_secret_file=env.get("HALL_SERVICE_SECRET_FILE", ""),
        bind=env.get("HALL_BIND", "127.0.0.1"),
        audit_key_file=env.get("HALL_AUDIT_KEY_FILE", ""),
        lookups_per_minute=int(env.get("HALL_LOOKUPS_PER_MINUTE", LOOKUPS_PER_MINUTE)),
    )


def use_local_run() -> None:
    """For command-line tools beside `make run`: take its settings from var/run.env
    (written at start) where the environment does not set them."""
    env_file = Path(os.environ.get("HALL_VAR_DIR", ROOT / "var")) / "run.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key:
                os.environ.setdefault(key, value)
