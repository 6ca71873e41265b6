"""Static checks of the deployment material: checkov (Kubernetes security policies) on the
rendered overlays, with the skipped checks and their reasons in deploy/k8s/.checkov.yaml,
and hadolint on the Dockerfiles as they are now, with the ignored rules and their reasons
in .hadolint.yaml. Both tools come from PyPI (the dev extra); both run offline."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from k8s_manifests import K8S, OVERLAYS, ROOT, render_text, tool

CHECKOV_CONFIG = K8S / ".checkov.yaml"
HADOLINT_CONFIG = ROOT / ".hadolint.yaml"
DOCKERFILES = ROOT / "deploy" / "docker"
INSTALL = "pip install -e '.[dev]' (make setup does)"


def skipped_with_reasons(config: Path, key: str, rule: str) -> list[str]:
    """The rules listed under `key:`, each of which must follow a comment (its reason)."""
    lines = config.read_text().splitlines()
    start = lines.index(f"{key}:")
    listed = []
    for before, line in zip(lines[start:], lines[start + 1:], strict=False):
        if not line.startswith((" ", "-")):
            break
        if match := re.fullmatch(rf"\s*- ({rule})", line):
            assert before.lstrip().startswith("#"), f"{config.name}: {line.strip()} needs a reason"
            listed.append(match[1])
    return listed


def test_checkov_passes_on_the_rendered_overlays(tmp_path: Path) -> None:
    files = []
    for overlay in OVERLAYS:  # one run for both overlays: checkov's start-up is most of it
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(render_text(overlay))
        files += ["-f", str(path)]
    out = subprocess.run([tool("checkov", INSTALL), "--config-file", str(CHECKOV_CONFIG),
                          "--output", "json", *files], cwd=tmp_path, capture_output=True,
                         text=True, timeout=240)
    reports: Any = json.loads(out.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    assert [r["check_type"] for r in reports] == ["kubernetes"], out.stderr
    failed = [f"{c['check_id']} {c['check_name']}: {c['resource']} ({c['file_path']})"
              for r in reports for c in r["results"]["failed_checks"]]
    assert failed == [], "\n".join(failed)
    summary = reports[0]["summary"]
    assert summary["parsing_errors"] == 0 and summary["passed"] > 100, summary
    assert out.returncode == 0, out.stderr
    assert skipped_with_reasons(CHECKOV_CONFIG, "skip-check", r"CKV_K8S_\d+")


def test_hadolint_passes_on_the_dockerfiles() -> None:
    dockerfiles = sorted(DOCKERFILES.glob("*.Dockerfile"))
    assert dockerfiles
    out = subprocess.run([tool("hadolint", INSTALL), "--config", str(HADOLINT_CONFIG),
                          "--format", "json", *map(str, dockerfiles)],
                         capture_output=True, text=True, timeout=120)
    findings = [f"{Path(f['file']).name}:{f['line']} {f['code']} {f['level']}: {f['message']}"
                for f in json.loads(out.stdout or "[]")]
    assert findings == [], "\n".join(findings)
    assert out.returncode == 0, out.stderr
    assert skipped_with_reasons(HADOLINT_CONFIG, "ignored", r"(?:DL|SC)\d+")
