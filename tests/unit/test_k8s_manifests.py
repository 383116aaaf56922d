"""The Kubernetes manifests in deploy/k8s match the code: a Deployment for every process the
launcher runs, Services on the ports in PORTS, and every object valid for Kubernetes (offline)."""
from __future__ import annotations

import importlib.util
import json
import re

import kubernetes_validate
import pytest
import yaml

from hall.infra import settings
from hall.infra.settings import PORTS, ROOT
from hall.runtime.launcher import PROCESSES

K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30"  # the oldest release the manifests are meant for (gRPC probes are GA since 1.27)

_spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

PRODUCTION = [p for p in PROCESSES if p not in generate.DEV_ONLY]
SERVERS = [p for p in PRODUCTION if PORTS[p][0] is not None]


def load(path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def objects(kind: str, path=K8S / "hall.yaml") -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in load(path) if d["kind"] == kind}


def container(deployment: dict) -> dict:
    (c,) = deployment["spec"]["template"]["spec"]["containers"]
    return c


def base() -> int:
    return int(objects("ConfigMap")["hall-config"]["data"]["HALL_PORT_BASE"])


def test_committed_manifests_equal_what_generate_py_writes_from_the_code_now():
    for path, text in generate.render().items():
        assert path.exists() and path.read_text() == text, (
            f"{path.relative_to(ROOT)} is out of date with PROCESSES/PORTS: "
            "run `python deploy/k8s/generate.py` and commit the result")


def test_the_carrier_simulator_is_only_in_the_dev_manifests():
    assert "carrier-sim" in generate.DEV_ONLY
    assert "carrier-sim" not in objects("Deployment")
    assert container(objects("Deployment", K8S / "dev" / "carrier-sim.yaml")["carrier-sim"])["args"] == \
        PROCESSES["carrier-sim"]


@pytest.mark.parametrize("process", PRODUCTION)
def test_every_production_process_has_a_deployment_running_its_module_on_its_ports(process):
    deployment = objects("Deployment").get(process)
    assert deployment, f"no Deployment for {process}: run `python deploy/k8s/generate.py`"
    c = container(deployment)
    assert c["args"] == PROCESSES[process]
    grpc_off, metrics_off = PORTS[process]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    expected = {"metrics": base() + metrics_off, **({"grpc": base() + grpc_off} if grpc_off is not None else {})}
    assert ports == expected
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(base() + metrics_off)
    assert c["resources"]["requests"] and c["resources"]["limits"]


@pytest.mark.parametrize("process", PRODUCTION)
def test_servers_are_probed_with_grpc_health_and_workers_on_their_metrics_page(process):
    c = container(objects("Deployment")[process])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        if PORTS[process][0] is not None:
            assert c[probe]["grpc"] == {"port": base() + PORTS[process][0]}
        else:
            assert c[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}


@pytest.mark.parametrize("process", SERVERS)
def test_the_gateway_and_every_api_have_a_service_and_an_autoscaler(process):
    service = objects("Service").get(process)
    assert service, f"no Service for {process}: run `python deploy/k8s/generate.py`"
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": process}
    ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
    assert ports == {"grpc": base() + PORTS[process][0], "metrics": base() + PORTS[process][1]}
    hpa = objects("HorizontalPodAutoscaler")[process]
    assert hpa["spec"]["scaleTargetRef"]["name"] == process and hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in objects("Deployment")[process]["spec"], "the HPA owns the replica count"


def test_the_gateway_reaches_each_api_by_its_service_name(monkeypatch):
    for key, value in objects("ConfigMap")["hall-config"]["data"].items():
        monkeypatch.setenv(key, value)
    s = settings.load()
    for process in SERVERS:
        if process != "gateway":
            assert s.address(process) == f"{process}:{objects('Service')[process]['spec']['ports'][0]['port']}"


def test_the_gateway_keeps_a_pod_through_voluntary_disruptions():
    pdb = objects("PodDisruptionBudget")["gateway"]
    assert pdb["spec"]["minAvailable"] >= 1
    assert pdb["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "gateway"}


def test_every_variable_a_pod_expands_comes_from_the_config_map_or_the_secret():
    secret = load(K8S / "secret.example.yaml")[0]
    known = set(objects("ConfigMap")["hall-config"]["data"]) | set(secret["stringData"])
    for name, deployment in objects("Deployment").items():
        c = container(deployment)
        assert [r for f in c["envFrom"] for r in f.values()] == [{"name": "hall-config"}, {"name": "hall-secrets"}]
        for var in c["env"]:
            assert set(re.findall(r"\$\((\w+)\)", var["value"])) <= known, name
    assert {"HALL_TOKEN_SECRET", "MONGO_URI", "HALL_AMQP_USER", "HALL_AMQP_PASSWORD"} <= set(secret["stringData"])


def test_the_secret_template_holds_placeholders_not_secrets():
    data = load(K8S / "secret.example.yaml")[0]["stringData"]
    assert data["HALL_TOKEN_SECRET"] == "REPLACE_ME" and data["HALL_AMQP_PASSWORD"] == "REPLACE_ME"
    assert "REPLACE_ME@" in data["MONGO_URI"] and "replicaSet=" in data["MONGO_URI"]
    assert not any(d["kind"] == "Secret" for d in load(K8S / "hall.yaml"))


def test_pods_run_as_the_images_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER (\d+)", dockerfile, re.M).group(1)
    assert re.search(r'^ENTRYPOINT \["python", "-m"\]', dockerfile, re.M)
    for deployment in objects("Deployment").values():
        pod = deployment["spec"]["template"]["spec"]["securityContext"]
        assert pod["runAsNonRoot"] is True and str(pod["runAsUser"]) == user


MANIFESTS = ["hall.yaml", "dev/carrier-sim.yaml", "secret.example.yaml"]


@pytest.mark.parametrize("name", MANIFESTS)
def test_every_manifest_passes_the_offline_kubernetes_schema_check(name):
    for doc in load(K8S / name):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_rejects_a_wrong_field_so_a_pass_means_something():
    deployment = json.loads(json.dumps(objects("Deployment")["gateway"]))
    container(deployment)["ports"][0]["containerPort"] = "seven thousand"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    container(deployment)["ports"][0]["containerPort"] = 7100
    container(deployment)["readinessProbe"]["grpcc"] = {"port": 7100}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
