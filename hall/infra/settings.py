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
    "street-monitor": (None, 65),
}
WEB_OFFSET = 2  # the gateway's HTTP port for browsers

# what a street centre's node runs (HALL_ROLE=street): its front desk and its issuance
# position, with the catalogue and sign-in they need; everything else is the district's
STREET_PROCESSES = ("routing-api", "staff-api", "intake-api", "delivery-api", "delivery-worker", "gateway")


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
    role: str = "district"          # HALL_ROLE: the district's hall, or a street centre's node
    site: str = ""                  # HALL_SITE: the site a street node serves
    # HALL_STREET_NODES (district): "LX03=http://host:15672,..." the street centres that run a
    # node of their own, each with its broker's management API (status of its link)
    street_nodes: tuple = ()
    node_management: str = ""       # HALL_NODE_MANAGEMENT (street node): its broker's management API
    audit_key_file: str = ""        # the key of the audit's hashes of ID numbers (mode 0600)
    lookups_per_minute: int = LOOKUPS_PER_MINUTE  # public look-ups by verification code per caller
    console_origins: str = ""       # comma-separated origins whose browsers may call the gateway

    @property
    def numbering(self):
        from hall.domain.nodes import Numbering
        return Numbering(self.site, frozenset(site for site, _ in self.street_nodes))

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

    def web_port(self) -> int:
        """The gateway's HTTP port for browsers (Connect protocol and the console's files)."""
        return int(os.environ.get("HALL_WEB_PORT", self.port_base + WEB_OFFSET))

    def origins(self) -> set[str]:
        """Browser origins allowed to call: the console served by the gateway itself, and
        any named in HALL_CONSOLE_ORIGINS (a console served elsewhere)."""
        own = {f"http://{h}:{self.web_port()}" for h in ("127.0.0.1", "localhost", self.bind)}
        return own | {o.strip().rstrip("/") for o in self.console_origins.split(",") if o.strip()}

    def address(self, process: str) -> str:
        host = os.environ.get(f"HALL_{_env(process)}_HOST", self.host)
        return f"{host}:{self.grpc_port(process)}"


def _env(process: str) -> str:
    return process.upper().replace("-", "_")


ROLES = ("district", "street")


def load() -> Settings:
    env = os.environ
    role, site = env.get("HALL_ROLE", "district"), env.get("HALL_SITE", "")
    if role not in ROLES:
        raise SystemExit(f"HALL_ROLE={role!r}: it is one of {', '.join(ROLES)}")
    if role == "street" and not site:
        raise SystemExit("HALL_ROLE=street needs HALL_SITE, the street centre's site code (e.g. LX03)")
    return Settings(
        amqp_uri=env.get("HALL_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//"),
        mongo_uri=env.get("MONGO_URI") or env.get("HALL_MONGO_URI", "mongodb://127.0.0.1:27017/?retryWrites=false"),
        db_prefix=env.get("HALL_DB_PREFIX", "lixia"),
        port_base=int(env.get("HALL_PORT_BASE", "7100")),
        reference_dir=Path(env.get("HALL_REFERENCE_DIR", ROOT / "reference")),
        public_key_files=env.get("HALL_PUBLIC_KEYS", ""),
        service_secret_file=env.get("HALL_SERVICE_SECRET_FILE", ""),
        bind=env.get("HALL_BIND", "127.0.0.1"),
        role=role, site=site if role == "street" else "",
        street_nodes=_street_nodes(env.get("HALL_STREET_NODES", "")),
        node_management=env.get("HALL_NODE_MANAGEMENT", "http://127.0.0.1:15672"),
        audit_key_file=env.get("HALL_AUDIT_KEY_FILE", ""),
        lookups_per_minute=int(env.get("HALL_LOOKUPS_PER_MINUTE", LOOKUPS_PER_MINUTE)),
        console_origins=env.get("HALL_CONSOLE_ORIGINS", ""),
    )


def _street_nodes(raw: str) -> tuple:
    nodes = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        site, sep, url = part.partition("=")
        if not sep or not site or not url.startswith("http"):
            raise SystemExit(f"HALL_STREET_NODES entry {part!r}: expected SITE=http://host:port "
                             "(the node's RabbitMQ management API)")
        nodes.append((site, url.rstrip("/")))
    return tuple(nodes)


def use_local_run() -> None:
    """For command-line tools beside `make run`: take its settings from var/run.env
    (written at start) where the environment does not set them."""
    env_file = Path(os.environ.get("HALL_VAR_DIR", ROOT / "var")) / "run.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key:
                os.environ.setdefault(key, value)
