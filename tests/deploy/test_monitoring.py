"""The monitoring component's custom resources: the ServiceMonitors and the PrometheusRule
validate against the Prometheus Operator's CRD schemas (the npm registry's
@kubernetes-models/prometheus-operator, pinned in deploy/k8s/package-lock.json), the alert
rules pass `promtool check rules` and their unit tests (`promtool test rules`,
prometheus/alerts.test.yaml), and every metric they use is one the services export."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from k8s_manifests import K8S, find, metric_names, of_kind, render, tool

OPERATOR_MODELS = K8S / "node_modules" / "@kubernetes-models" / "prometheus-operator"
UNIT_TESTS = Path(__file__).parent / "prometheus" / "alerts.test.yaml"
CUSTOM_KINDS = ("ServiceMonitor", "PrometheusRule")
ALERTS = {"EmotionChatGrpcErrorRate", "EmotionChatTurnLatencyHigh", "EmotionChatDegradedTurns",
          "EmotionChatCrisisTurn", "EmotionChatStoreUnreachable",
          "EmotionChatClassifierQueueBacklog"}


def crd_source() -> str:
    """Which CRDs the package's schemas were generated from (the operator's release)."""
    package = json.loads((OPERATOR_MODELS / "package.json").read_text())
    return package["crd-generate"]["input"][0]


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """Unknown fields are errors, as `kubectl apply` (strict server-side field validation)
    makes them, except where the CRD keeps them (x-kubernetes-preserve-unknown-fields)."""
    if "properties" in schema and "additionalProperties" not in schema \
            and not schema.get("x-kubernetes-preserve-unknown-fields"):
        schema["additionalProperties"] = False
    for sub in schema.get("properties", {}).values():
        strict(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            strict(schema[key])
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            strict(sub)
    return schema


def crd_validator(kind: str) -> jsonschema.protocols.Validator:
    """The openAPIV3Schema of the kind's CRD, as the package ships it (a JSON literal in its
    model module). ObjectMeta (its one $ref) is left to kubernetes-validate."""
    module = (OPERATOR_MODELS / "monitoring.coreos.com" / "v1" / f"{kind}.js").read_text()
    start = module.index("const schema = ") + len("const schema = ")
    schema = json.loads(module[start:module.index("\n};\n", start) + 2])
    assert "$ref" in json.dumps(schema["properties"]["metadata"])
    schema["properties"]["metadata"] = {"type": "object"}
    assert "$ref" not in json.dumps(schema)
    return jsonschema.Draft7Validator(strict(schema))


def errors(doc: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in crd_validator(doc["kind"]).iter_errors(doc)]


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return render("gpu")


def test_the_schemas_are_the_operators_crds() -> None:
    assert re.search(r"prometheus-operator/v0\.\d+\.\d+/example/prometheus-operator-crd",
                     crd_source())
    monitor = crd_validator("ServiceMonitor").schema
    assert "endpoints" in monitor["properties"]["spec"]["properties"]
    assert monitor["properties"]["spec"]["required"] == ["endpoints", "selector"]


def test_custom_resources_validate_against_their_crd_schemas(docs) -> None:
    resources = [d for d in docs if d["kind"] in CUSTOM_KINDS]
    assert {d["kind"] for d in resources} == set(CUSTOM_KINDS)
    for doc in resources:
        assert errors(doc) == [], (doc["kind"], doc["metadata"]["name"])
        # ObjectMeta: as the API server checks any object's metadata
        kubernetes_validate.validate({"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": doc["metadata"]}, "1.30.0", strict=True)
    assert not [d for d in render("cpu") if d["kind"] in CUSTOM_KINDS]  # no operator there


def test_the_crd_schemas_catch_mistakes(docs) -> None:
    monitor = copy.deepcopy(find(docs, "ServiceMonitor", "classifier"))
    monitor["spec"]["endpoints"][0]["intervall"] = "15s"  # unknown field
    monitor["spec"]["endpoints"][0]["honorLabels"] = "yes"  # wrong type
    del monitor["spec"]["selector"]  # required
    assert len(errors(monitor)) == 3, errors(monitor)
    rule = copy.deepcopy(find(docs, "PrometheusRule", "emotion-chat"))
    del rule["spec"]["groups"][0]["rules"][0]["expr"]
    rule["spec"]["groups"][0]["rules"][0]["severity"] = "critical"  # belongs in labels
    assert len(errors(rule)) == 2, errors(rule)


@pytest.fixture(scope="module")
def rule_files(docs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PrometheusRule's groups as a Prometheus rule file, beside the unit tests."""
    folder = tmp_path_factory.mktemp("rules")
    spec = find(docs, "PrometheusRule", "emotion-chat")["spec"]
    (folder / "rules.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    shutil.copy(UNIT_TESTS, folder / UNIT_TESTS.name)
    return folder


def promtool() -> str:
    return tool("promtool", "run scripts/install_promtool.sh (make promtool; make test does)")


def test_promtool_checks_the_rules(rule_files) -> None:
    out = subprocess.run([promtool(), "check", "rules", str(rule_files / "rules.yaml")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in out.stdout


def test_promtool_unit_tests_of_the_alerts_pass(rule_files) -> None:
    out = subprocess.run([promtool(), "test", "rules", UNIT_TESTS.name], cwd=rule_files,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    tested = set(re.findall(r"alertname: (\w+)", UNIT_TESTS.read_text()))
    assert tested == ALERTS  # every alert has a unit test


def test_alerts_use_exported_metrics_and_say_what_happened(docs) -> None:
    rules = [r for d in of_kind(docs, "PrometheusRule") for g in d["spec"]["groups"]
             for r in g["rules"]]
    assert {r["alert"] for r in rules} == ALERTS
    used = set()
    for rule in rules:
        used |= set(re.findall(r"\b((?:classifier|generator|recommender|orchestrator|"
                               r"grpc_server)_[a-z_]+)", rule["expr"]))
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    assert used and used <= metric_names(), used - metric_names()
    # the crisis alert pages on the first crisis turn of a replica too (a new counter)
    crisis = next(r for r in rules if r["alert"] == "EmotionChatCrisisTurn")
    assert "for" not in crisis and "unless" in crisis["expr"]
