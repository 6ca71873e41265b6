"""The layering: the shared foundation imports no service, a service imports no other
service, and the CLI works in an image that holds only one service."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("classifier_service", "generator_service", "recommender_service", "orchestrator")
TOOLING = ("benchmarks", "emotion_chat_cli", "training", "evaluation", "music")


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level packages imported anywhere in a package, per file."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_the_foundation_imports_no_service_and_no_tooling() -> None:
    for path, names in imported_packages("emotion_chat").items():
        assert not names & {*SERVICES, *TOOLING}, (path, names & {*SERVICES, *TOOLING})


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service) -> None:
    others = {*SERVICES, *TOOLING} - {service}
    for path, names in imported_packages(service).items():
        assert not names & others, (path, names & others)


BLOCK = """
import importlib.abc, sys
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {absent!r}:
            raise ImportError(f"No module named {{name!r}}")
        return None
sys.meta_path.insert(0, Absent())
from emotion_chat_cli.main import main
sys.exit(main({argv!r}))
"""


def run_cli_without(absent: set[str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    code = BLOCK.format(absent=absent, argv=argv)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)


def test_the_cli_runs_in_an_image_with_only_the_classifier() -> None:
    absent = {"generator_service", "orchestrator", "benchmarks"}
    helped = run_cli_without(absent, ["serve", "classifier", "--help"])
    assert helped.returncode == 0 and "--max-batch-size" in helped.stdout
    missing = run_cli_without(absent, ["serve", "orchestrator"])
    assert missing.returncode == 2 and "orchestrator service is not installed" in missing.stdout
