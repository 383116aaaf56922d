"""The Prometheus rules and scrape configuration are valid for promtool, their alerts fire as
specified (deploy/prometheus/rules.test.yml), and they name metrics the code really exports."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from hall.infra.settings import PORTS, ROOT

PROM = ROOT / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> str:
    """promtool from Debian's prometheus package; `make test` installs it where it is missing."""
    found = shutil.which("promtool")
    if not found and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "prometheus"], capture_output=True, timeout=600)
        found = shutil.which("promtool")
    assert found, "promtool is missing: run `make promtool` (apt-get install -y prometheus)"
    return found


def run(promtool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([promtool, *args], cwd=PROM, capture_output=True, text=True, timeout=120)


def test_promtool_accepts_the_rules_file(promtool):
    out = run(promtool, "check", "rules", "rules.yml")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout


def test_the_alerts_fire_when_they_should_and_not_before(promtool):
    out = run(promtool, "test", "rules", "rules.test.yml")
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_accepts_the_scrape_configuration_with_its_rules(promtool):
    out = run(promtool, "check", "config", "prometheus.yml")
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_required_alerts_are_there():
    rules = yaml.safe_load((PROM / "rules.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert {"HallOverdueCasesGrowing", "HallBacklogHigh", "HallDeadLetterQueueNotEmpty",
            "HallServiceDown", "StreetNodeUnreachable", "StreetNodeBacklogGrowing"} <= alerts


def test_every_metric_the_rules_use_is_exported_by_the_code():
    from prometheus_client import REGISTRY
    import hall.infra.metrics  # noqa: F401
    import services.sla.service  # noqa: F401
    import hall.runtime.street_monitor  # noqa: F401
    families = list(REGISTRY.collect())
    exported = {m.name for m in families} | {s.name for m in families for s in m.samples}
    used = set(re.findall(r"\b(hall_[a-z_]+)\b", (PROM / "rules.yml").read_text()))
    assert used and used <= exported, used - exported


def test_every_scrape_target_is_the_metrics_port_of_its_process():
    config = yaml.safe_load((PROM / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        process = job["job_name"].removeprefix("hall-")
        target = job["static_configs"][0]["targets"][0]
        assert target == f"127.0.0.1:{7100 + PORTS[process][1]}", job["job_name"]
    assert {"hall-sla-worker", "hall-gateway"} <= {j["job_name"] for j in config["scrape_configs"]}
