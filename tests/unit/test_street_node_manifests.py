"""The street-node overlay (deploy/street-node) builds with kustomize into a node that runs
exactly the street processes, with a broker and a database of its own, all valid objects."""
from __future__ import annotations

import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from hall.infra.settings import ROOT, STREET_PROCESSES

OVERLAY = ROOT / "deploy" / "street-node"


@pytest.fixture(scope="module")
def built() -> list[dict]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is missing (Debian: apt-get install -y kubectl)"
    out = subprocess.run([kubectl, "kustomize", str(OVERLAY)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def names(built, kind: str) -> set[str]:
    return {d["metadata"]["name"] for d in built if d["kind"] == kind}


def test_the_node_runs_the_street_processes_only_with_its_own_broker_and_database(built):
    assert names(built, "Deployment") == set(STREET_PROCESSES)
    assert names(built, "StatefulSet") == {"rabbitmq", "mongodb"}
    assert {"approval-api", "sla-api"}.isdisjoint(names(built, "Service"))
    assert {d["metadata"].get("namespace") for d in built if d["kind"] != "Namespace"} == {"lixia-street-lx03"}


def test_the_node_is_configured_as_lx03_s_street_node_on_its_own_broker(built):
    [config] = [d for d in built if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "hall-config"]
    data = config["data"]
    assert (data["HALL_ROLE"], data["HALL_SITE"], data["HALL_AMQP_ADDRESS"]) == ("street", "LX03", "rabbitmq:5672/%2F")
    [plugins] = [d for d in built if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "rabbitmq-config"]
    assert "rabbitmq_shovel" in plugins["data"]["enabled_plugins"]
    [job] = [d for d in built if d["kind"] == "Job"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["hall.runtime.broker_node", "set-up"]


def test_every_object_of_the_overlay_passes_the_offline_schema_check(built):
    for doc in built:
        kubernetes_validate.validate(doc, "1.30", strict=True)
