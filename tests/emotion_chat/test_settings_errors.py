"""Invalid settings become one readable line each: name, value, what is allowed."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import Field, FilePath, ValidationError
from pydantic_settings import SettingsConfigDict

from emotion_chat.settings import ServiceSettings, describe_invalid_settings


class Mood(enum.Enum):
    CALM = "calm"
    LOUD = "loud"


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_")

    workers: int = Field(default=1, ge=1)
    ratio: float = Field(default=0.5, gt=0, lt=1)
    mood: Mood = Mood.CALM
    device: Literal["cpu", "cuda"] = "cpu"
    warmup: bool = True
    vocab_file: FilePath | None = None
    tag: str = Field(default="a", pattern=r"^[a-z]+$")


def lines_for(given: tuple[str, ...] = (), **values: Any) -> list[str]:
    with pytest.raises(ValidationError) as invalid:
        DemoSettings(**values)
    return describe_invalid_settings(invalid.value, DemoSettings, given)


def test_an_int_from_the_environment_names_the_env_var_and_the_range(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PORT", "abc")
    assert lines_for() == ["invalid setting DEMO_PORT='abc': must be an integer from 0 to 65535"]


def test_out_of_range_from_a_flag_names_the_flag() -> None:
    assert lines_for(("port",), port="70000") == [
        "invalid setting --port='70000': must be an integer from 0 to 65535"]
    assert lines_for(("workers",), workers="-1") == [
        "invalid setting --workers='-1': must be an integer >= 1"]
    assert lines_for(ratio="1") == ["invalid setting DEMO_RATIO='1': must be a number > 0 and < 1"]


def test_enum_and_literal_list_the_choices() -> None:
    assert lines_for(mood="angry") == [
        "invalid setting DEMO_MOOD='angry': must be one of calm, loud"]
    assert lines_for(device="tpu") == [
        "invalid setting DEMO_DEVICE='tpu': must be one of cpu, cuda"]


def test_bool_path_and_pattern(tmp_path: Path) -> None:
    assert lines_for(warmup="maybe") == [
        "invalid setting DEMO_WARMUP='maybe': must be true or false"]
    missing = str(tmp_path / "vocab.txt")
    assert lines_for(vocab_file=missing) == [
        f"invalid setting DEMO_VOCAB_FILE={missing!r}: must be an existing file"]
    assert lines_for(tag="ABC") == [
        "invalid setting DEMO_TAG='ABC': must be text matching ^[a-z]+$"]


def test_a_validator_message_is_kept() -> None:
    assert lines_for(log_level="loud") == [
        "invalid setting DEMO_LOG_LEVEL='loud': must be one of DEBUG, INFO, WARNING, ERROR, "
        "CRITICAL (any case)"]


def test_several_invalid_settings_give_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_WORKERS", "0")
    lines = lines_for(("mood",), mood="x", warmup="2")
    assert lines == ["invalid setting DEMO_WORKERS='0': must be an integer >= 1",
                     "invalid setting --mood='x': must be one of calm, loud",
                     "invalid setting DEMO_WARMUP='2': must be true or false"]


def test_a_cross_field_error_names_every_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_TLS_KEY_FILE", "/k.pem")
    assert lines_for() == [
        "invalid settings DEMO_TLS_CERT_FILE (unset), DEMO_TLS_KEY_FILE='/k.pem': TLS needs "
        "both a certificate and its key, or neither"]
    monkeypatch.delenv("DEMO_TLS_KEY_FILE")
    assert lines_for(("tls_cert_file",), tls_cert_file="/c.pem") == [
        "invalid settings --tls-cert-file='/c.pem', DEMO_TLS_KEY_FILE (unset): TLS needs "
        "both a certificate and its key, or neither"]


def test_the_real_service_settings() -> None:
    from orchestrator.settings import OrchestratorSettings

    with pytest.raises(ValidationError) as invalid:
        OrchestratorSettings(crisis_sensitivity="loud", port="abc")
    assert describe_invalid_settings(invalid.value, OrchestratorSettings) == [
        "invalid setting ORCHESTRATOR_PORT='abc': must be an integer from 0 to 65535",
        "invalid setting ORCHESTRATOR_CRISIS_SENSITIVITY='loud': must be one of precise, "
        "balanced, sensitive"]
