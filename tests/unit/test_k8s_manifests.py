"""The Kubernetes manifests in deploy/k8s match the code: a Deployment for every process the
launcher runs, Services on the ports in PORTS, each key file from its own Secret in the pods
that need it, NetworkPolicies that admit only each port's callers, and every object valid for
Kubernetes (offline)."""
from __future__ import annotations

import functools
import importlib.util
import json
import re
import shutil
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

from hall.infra import settings
from hall.infra.settings import PORTS, ROOT
from hall.runtime.launcher import PROCESSES
from hall.runtime.secrets import ACCOUNTS, account_of

K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30"  # the oldest release the manifests are meant for (gRPC probes are GA since 1.27)

_spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

PRODUCTION = [p for p in PROCESSES if p not in generate.DEV_ONLY]
SERVERS = [p for p in PRODUCTION if PORTS[p][0] is not None]


@functools.cache
def load(path) -> list[dict]:
    """The documents of a manifest, parsed once (tests copy before they change one)."""
    return [d for d in yaml.load_all(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if d]


def objects(kind: str, path=K8S / "hall.yaml") -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in load(path) if d["kind"] == kind}


def container(deployment: dict) -> dict:
    (c,) = deployment["spec"]["template"]["spec"]["containers"]
    return c


@functools.cache
def all_deployments() -> dict[str, dict]:
    return {**objects("Deployment"), **objects("Deployment", K8S / "dev" / "carrier-sim.yaml")}


def secrets_template() -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in load(K8S / "secret.example.yaml")}


def env(deployment: dict) -> dict[str, str]:
    return {v["name"]: v["value"] for v in container(deployment)["env"]}


def secret_volumes(deployment: dict) -> dict[str, dict]:
    """Secret name -> its volume, for the Secrets a pod mounts."""
    return {v["secret"]["secretName"]: v for v in deployment["spec"]["template"]["spec"]["volumes"] if "secret" in v}


def files_of(deployment: dict, secret: str) -> dict[str, str]:
    """The files a mounted Secret puts into the container: path -> the Secret's key."""
    volume = secret_volumes(deployment)[secret]
    (mount,) = [m for m in container(deployment)["volumeMounts"] if m["name"] == volume["name"]]
    return {f"{mount['mountPath']}/{i['path']}": i["key"] for i in volume["secret"]["items"]}


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
    secret = secrets_template()["hall-secrets"]
    known = set(objects("ConfigMap")["hall-config"]["data"]) | set(secret["stringData"])
    for name, deployment in all_deployments().items():
        c = container(deployment)
        assert [r for f in c["envFrom"] for r in f.values()] == [{"name": "hall-config"}, {"name": "hall-secrets"}]
        for var in c["env"]:
            assert set(re.findall(r"\$\((\w+)\)", var["value"])) <= known, name
    assert {"MONGO_URI", "HALL_AMQP_USER", "HALL_AMQP_PASSWORD"} <= set(secret["stringData"])


def test_the_secret_templates_hold_placeholders_not_secrets():
    text = (K8S / "secret.example.yaml").read_text()
    assert "BEGIN" not in text and "$argon2" not in text, "a real key or hash in the template"
    for name, secret in secrets_template().items():
        for key, value in secret["stringData"].items():
            if (name, key) != ("hall-secrets", "HALL_AMQP_USER"):
                assert "REPLACE_ME" in value, f"{name}/{key} is not a placeholder"
    assert "REPLACE_ME@" in secrets_template()["hall-secrets"]["stringData"]["MONGO_URI"]
    assert not any(d["kind"] == "Secret" for d in load(K8S / "hall.yaml"))


def test_the_templates_are_exactly_the_secrets_the_pods_use_with_the_keys_they_mount():
    template = secrets_template()
    used = {"hall-secrets"}
    for deployment in all_deployments().values():
        for name, volume in secret_volumes(deployment).items():
            used.add(name)
            assert {i["key"] for i in volume["secret"]["items"]} <= set(template[name]["stringData"]), name
    assert used == set(template)
    assert {f"hall-svc-{a}" for a in ACCOUNTS} <= used


def test_no_pod_carries_the_old_shared_token_secret():
    for path in K8S.rglob("*"):
        if path.is_file():
            assert "HALL_TOKEN_SECRET" not in path.read_text(), f"{path.relative_to(ROOT)} still names it"
    for name, deployment in all_deployments().items():
        assert "HALL_TOKEN_SECRET" not in env(deployment), name


def test_every_process_listens_on_its_pod_ip():
    assert objects("ConfigMap")["hall-config"]["data"]["HALL_BIND"] == "0.0.0.0"


@pytest.mark.parametrize("process", [*PRODUCTION, *generate.DEV_ONLY])
def test_every_pod_verifies_tokens_with_the_public_keys_from_their_secret(process):
    deployment = all_deployments()[process]
    files = files_of(deployment, "hall-public-keys")
    listed = env(deployment)["HALL_PUBLIC_KEYS"].split(":")
    assert listed and all(path in files for path in listed)
    assert set(files.values()) == set(secrets_template()["hall-public-keys"]["stringData"])


def test_the_signing_key_is_mounted_into_staff_api_alone():
    signer_only = ("HALL_SIGNING_KEY_FILE", "HALL_SERVICE_ACCOUNTS_FILE", "HALL_ADMIN_PASSWORD_FILE")
    for name, deployment in all_deployments().items():
        if name == "staff-api":
            continue
        assert "hall-signing-key" not in secret_volumes(deployment), name
        assert not set(signer_only) & set(env(deployment)), name
    staff = objects("Deployment")["staff-api"]
    files = files_of(staff, "hall-signing-key")
    assert files[env(staff)["HALL_SIGNING_KEY_FILE"]] == "signing.key"
    assert files[env(staff)["HALL_SERVICE_ACCOUNTS_FILE"]] == "service-accounts"
    assert not any(n.startswith("hall-svc-") for n in secret_volumes(staff)), "staff-api signs its own token"


def test_the_first_admin_password_is_written_to_memory_in_the_staff_api_pod():
    staff = objects("Deployment")["staff-api"]
    path = env(staff)["HALL_ADMIN_PASSWORD_FILE"]
    (mount,) = [m for m in container(staff)["volumeMounts"] if path.startswith(m["mountPath"] + "/")]
    assert not mount.get("readOnly"), "staff-api writes the file"
    (volume,) = [v for v in staff["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"]]
    assert volume["emptyDir"]["medium"] == "Memory"


@pytest.mark.parametrize("process", [*PRODUCTION, *generate.DEV_ONLY])
def test_each_service_account_secret_is_mounted_into_its_own_services_pods_only(process):
    deployment = all_deployments()[process]
    mounted = {n for n in secret_volumes(deployment) if n.startswith("hall-svc-")}
    account = account_of(process)
    assert mounted == ({f"hall-svc-{account}"} if account else set())
    if account:
        assert files_of(deployment, f"hall-svc-{account}")[env(deployment)["HALL_SERVICE_SECRET_FILE"]] == "secret"
    else:
        assert "HALL_SERVICE_SECRET_FILE" not in env(deployment)


def test_key_files_are_mounted_read_only_with_mode_0400_for_the_pods_user():
    assert re.search(r"^ +defaultMode: 0400$", (K8S / "hall.yaml").read_text(), re.M), "write modes in octal"
    for name, deployment in all_deployments().items():
        pod = deployment["spec"]["template"]["spec"]
        # Kubernetes gives the files the pod's fsGroup (and group read), so user 10001 can read them
        assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]
        volumes = {v["name"] for v in secret_volumes(deployment).values()}
        for volume in secret_volumes(deployment).values():
            assert volume["secret"]["defaultMode"] == 0o400, name
        for mount in container(deployment)["volumeMounts"]:
            if mount["name"] in volumes:
                assert mount["readOnly"] is True, (name, mount["name"])


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


# ---- NetworkPolicies, evaluated as Kubernetes does: a pod selected by some policy for Ingress
# takes only what one of those policies' rules admits (a peer and a port); the others add nothing.

NAMESPACE = generate.NAMESPACE
# the callers of each server's gRPC port, as the services' code calls them (see the next test)
GRPC_CALLERS = {
    "routing-api": {"gateway", "intake-api", "staff-api", "sla-api", "sla-worker"},
    "approval-api": {"gateway", "intake-api"},
    "intake-api": {"gateway"}, "delivery-api": {"gateway"}, "sla-api": {"gateway"},
    "staff-api": set(PROCESSES),  # every process signs in there and polls its revocations
}
INGRESS = ("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
MONITORING = ("monitoring", {"app.kubernetes.io/name": "prometheus"})
OUTSIDERS = [INGRESS, MONITORING, ("default", {"app.kubernetes.io/name": "gateway"}),
             ("other-app", {"app.kubernetes.io/part-of": "lixia-hall", "app.kubernetes.io/name": "intake-api"})]


@functools.cache
def policies() -> list[dict]:
    return [d for path in (K8S / "hall.yaml", K8S / "dev" / "carrier-sim.yaml") for d in load(path)
            if d["kind"] == "NetworkPolicy"]


def selects(selector: dict, labels: dict) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for e in selector.get("matchExpressions", []):
        assert e["operator"] in ("In", "NotIn", "Exists"), e
        present = e["key"] in labels
        if e["operator"] == "Exists" and not present:
            return False
        if e["operator"] == "In" and labels.get(e["key"]) not in e["values"]:
            return False
        if e["operator"] == "NotIn" and present and labels[e["key"]] in e["values"]:
            return False
    return True


def peer_admits(peer: dict, namespace: str, labels: dict) -> bool:
    assert "ipBlock" not in peer
    ns_labels = {"kubernetes.io/metadata.name": namespace}
    if "namespaceSelector" in peer:
        ns_ok = selects(peer["namespaceSelector"], ns_labels)
    else:
        ns_ok = namespace == NAMESPACE  # a podSelector alone means the policy's own namespace
    return ns_ok and selects(peer.get("podSelector", {}), labels)


def admitted(target: str, port: int, namespace: str, labels: dict) -> bool:
    pod = all_deployments()[target]["spec"]["template"]
    named = {p["name"]: p["containerPort"] for p in container(all_deployments()[target])["ports"]}
    selecting = [p for p in policies() if p["metadata"]["namespace"] == NAMESPACE
                 and "Ingress" in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], pod["metadata"]["labels"])]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("ingress", []):
            ports = [named.get(p["port"], p["port"]) for p in rule.get("ports", [])]
            if ports and port not in ports:
                continue
            if "from" not in rule or any(peer_admits(peer, namespace, labels) for peer in rule["from"]):
                return True
    return False


def hall_pod(process: str) -> tuple[str, dict]:
    return NAMESPACE, all_deployments()[process]["spec"]["template"]["metadata"]["labels"]


def sources() -> dict[str, tuple[str, dict]]:
    return {**{p: hall_pod(p) for p in PROCESSES}, **{f"{ns} pod": (ns, labels) for ns, labels in OUTSIDERS}}


def test_ingress_is_denied_by_default_to_every_pod_of_the_namespace():
    (deny,) = [p for p in policies() if p["spec"]["podSelector"] == {}]
    assert deny["spec"]["policyTypes"] == ["Ingress"] and not deny["spec"].get("ingress")
    for process in all_deployments():
        assert not admitted(process, 8080, *MONITORING) and not admitted(process, 8080, *hall_pod("gateway"))


@pytest.mark.parametrize("process", [p for p in SERVERS if p != "gateway"])
def test_a_services_grpc_port_admits_only_the_gateway_and_its_listed_callers(process):
    grpc_port = base() + PORTS[process][0]
    let_in = {name for name, (ns, labels) in sources().items() if admitted(process, grpc_port, ns, labels)}
    assert let_in == GRPC_CALLERS[process]


def test_the_gateways_grpc_port_admits_the_ingress_controller_only():
    grpc_port = base() + PORTS["gateway"][0]
    let_in = {name for name, (ns, labels) in sources().items() if admitted("gateway", grpc_port, ns, labels)}
    assert let_in == {"ingress-nginx pod"}


@pytest.mark.parametrize("process", [*PRODUCTION, *generate.DEV_ONLY])
def test_metrics_ports_admit_the_monitoring_namespace_only(process):
    metrics_port = base() + PORTS[process][1]
    let_in = {name for name, (ns, labels) in sources().items() if admitted(process, metrics_port, ns, labels)}
    assert let_in == {"monitoring pod"}


def test_every_call_the_code_makes_between_processes_is_admitted():
    """Read the callers off the code, so a new call fails here until CALLERS in generate.py
    lets it through: `settings.address("<process>")` in a service's package, and the
    gateway's forwarding table."""
    from services.gateway.server import PARTS
    calls = {("gateway", owner) for _, owner in PARTS.values() if owner}
    for package in (ROOT / "services").iterdir():
        servers = [p for p, args in PROCESSES.items() if args[0] == f"services.{package.name}"
                   and PORTS[p][0] is not None and p != "gateway"]
        for path in package.glob("*.py"):
            for callee in re.findall(r"""address\(["']([a-z-]+)["']\)""", path.read_text()):
                calls |= {(caller, callee) for caller in servers}
    assert ("intake-api", "routing-api") in calls and ("intake-api", "approval-api") in calls
    for caller, callee in sorted(calls):
        assert admitted(callee, base() + PORTS[callee][0], *hall_pod(caller)), f"{caller} -> {callee}"
        assert caller in GRPC_CALLERS[callee]


def test_generate_py_check_passes_on_the_committed_files():
    done = subprocess.run([sys.executable, str(K8S / "generate.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl is not installed")
@pytest.mark.parametrize("directory", [K8S, K8S / "dev"])
def test_kustomize_builds_both_directories(directory):
    done = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "registry.example.org/lixia/lixia-hall:" in done.stdout
