"""The README documents every setting and the two set-up commands (drift fails CI)."""

import re
from pathlib import Path

from classifier_service.settings import ClassifierSettings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_classifier_setting_is_documented() -> None:
    for name in ClassifierSettings.model_fields:
        assert f"`CLASSIFIER_{name.upper()}`" in README, name
        assert f"`--{name.replace('_', '-')}`" in README, name


def test_setup_commands_match_ci() -> None:
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert re.search(r"^make test$", README, re.M) and "make test" in ci
    assert re.search(r"^make demo$", README, re.M)
