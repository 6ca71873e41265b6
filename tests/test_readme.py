"""The README documents every setting and the two set-up commands (drift fails CI)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_settings_tables_are_generated_from_the_code() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "settings_docs.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_setup_commands_match_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", README, re.M) and "make test" in ci
    assert re.search(r"^make demo$", README, re.M)
