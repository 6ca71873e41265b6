import argparse

import pytest
from pydantic import ValidationError

from classifier_service.settings import ClassifierSettings
from emotion_chat_cli.flags import add_settings_flags, settings_from_args


def parse(argv: list[str]) -> ClassifierSettings:
    parser = argparse.ArgumentParser()
    add_settings_flags(parser, ClassifierSettings)
    return settings_from_args(ClassifierSettings, parser.parse_args(argv))


def test_defaults_are_the_documented_ports() -> None:
    settings = parse([])
    assert (settings.port, settings.metrics_port) == (50052, 9092)


def test_env_prefix_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSIFIER_MAX_BATCH_SIZE", "7")
    monkeypatch.setenv("CLASSIFIER_WARMUP", "false")
    settings = parse([])
    assert settings.max_batch_size == 7
    assert settings.warmup is False


def test_flags_override_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSIFIER_PORT", "6000")
    settings = parse(["--port", "7000", "--metrics-port", "7001", "--no-warmup",
                      "--max-queue-delay-ms", "1.5"])
    assert (settings.port, settings.metrics_port) == (7000, 7001)
    assert settings.warmup is False
    assert settings.max_queue_delay_ms == 1.5


def test_every_field_has_help_from_its_docstring() -> None:
    parser = argparse.ArgumentParser()
    add_settings_flags(parser, ClassifierSettings)
    helps = {a.dest: a.help for a in parser._actions if a.dest.startswith("setting__")}
    assert len(helps) == len(ClassifierSettings.model_fields)
    assert all(h and "[env CLASSIFIER_" in h and not h.startswith("[") for h in helps.values())


def test_bad_values_are_rejected() -> None:
    with pytest.raises(ValidationError):
        parse(["--port", "70000"])
    with pytest.raises(ValidationError):
        parse(["--device", "tpu"])
