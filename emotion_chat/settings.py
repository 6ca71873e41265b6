"""Settings shared by every service, read from the environment with a per-service prefix.

Each service subclasses `ServiceSettings` with its own `env_prefix` (`CLASSIFIER_`,
`GENERATOR_`, `ORCHESTRATOR_`) and default ports. Every field is also a CLI flag of
`emotion-chat serve <service>` (see `emotion_chat_cli.flags`): flags win over the environment,
the environment wins over the defaults.

`describe_invalid_settings` turns a `ValidationError` of such a class into one line per bad
setting, naming the env var or flag, the value and what is allowed; `emotion-chat serve`
prints those lines instead of a traceback.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsConflict(ValueError):
    """Raised by a cross-field (model) validator: these settings do not go together."""

    def __init__(self, fields: Sequence[str], message: str) -> None:
        super().__init__(message)
        self.fields = tuple(fields)
        self.message = message


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SERVICE_",
        use_attribute_docstrings=True,
        extra="forbid",
        validate_default=True,
    )

    host: str = "0.0.0.0"
    """Address the gRPC server binds to (use 127.0.0.1 to stay local)."""

    port: int = Field(default=50050, ge=0, le=65535)
    """gRPC port; 0 picks a free port (printed at start-up)."""

    metrics_host: str = "0.0.0.0"
    """Address of the Prometheus /metrics HTTP endpoint."""

    metrics_port: int = Field(default=9090, ge=0, le=65535)
    """Prometheus /metrics HTTP port; 0 picks a free port."""

    grace_period_s: float = Field(default=10.0, ge=0)
    """On SIGTERM/SIGINT: stop accepting RPCs, let in-flight RPCs finish for this long."""

    max_concurrent_rpcs: int | None = Field(default=None, ge=1)
    """Refuse RPCs beyond this many in flight (RESOURCE_EXHAUSTED); unset = unlimited."""

    max_message_mb: int = Field(default=16, ge=1)
    """Largest gRPC message accepted or sent, in MiB."""

    log_level: str = "INFO"
    """Python logging level of the service."""

    log_format: Literal["text", "json"] = "text"
    """Log lines as text, or json: one object per line with the service, and the
    conversation_id and trace_id of the turn being handled."""

    otlp_endpoint: str | None = None
    """OTLP/gRPC collector for traces, e.g. http://otel-collector:4317; unset: the standard
    OTEL_EXPORTER_OTLP_ENDPOINT, else tracing is off (and costs nothing)."""

    trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    """Share of new traces recorded when tracing is on (a caller's sampled traceparent
    always is)."""

    tls_cert_file: Path | None = None
    """PEM certificate chain: serve gRPC over TLS (with tls_key_file)."""

    tls_key_file: Path | None = None
    """PEM private key of tls_cert_file."""

    tls_client_ca_file: Path | None = None
    """PEM CA bundle: require and verify client certificates (mutual TLS)."""

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)} (any case)")
        return value

    @model_validator(mode="after")
    def _tls_pair(self) -> ServiceSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise SettingsConflict(("tls_cert_file", "tls_key_file"),
                                   "TLS needs both a certificate and its key, or neither")
        return self


# --- one line per invalid setting -------------------------------------------------------------

_PLAIN_KINDS: dict[Any, str] = {bool: "true or false", int: "an integer", float: "a number",
                                str: "text", SecretStr: "text", Path: "a path"}
_PATH_KINDS = {"file": "an existing file", "dir": "an existing directory",
               "new": "a path that does not exist yet"}
# Errors raised by validators of our own: their message says what is allowed.
_OWN_MESSAGES = {"value_error", "assertion_error"}


def setting_name(settings_cls: type[BaseSettings], field: str,
                 given: Collection[str] = ()) -> str:
    """`--field-name` when the field was given on the command line, else its env var."""
    if field in given:
        return "--" + field.replace("_", "-")
    return f"{settings_cls.model_config.get('env_prefix', '')}{field}".upper()


def _unoptional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _choices(values: Sequence[Any]) -> str:
    return "one of " + ", ".join(str(v.value if isinstance(v, enum.Enum) else v)
                                 for v in values)


def _bounds(constraints: dict[str, Any]) -> str:
    ge, gt, le, lt = (constraints.get(k) for k in ("ge", "gt", "le", "lt"))
    if ge is not None and le is not None:
        return f"from {ge} to {le}"
    parts = [f"{sign} {value}" for sign, value in
             ((">=", ge), (">", gt), ("<=", le), ("<", lt)) if value is not None]
    return " and ".join(parts)


def _constraints(metadata: Sequence[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for key in ("ge", "gt", "le", "lt", "pattern", "path_type", "min_length", "max_length"):
            value = getattr(item, key, None)
            if value is not None:
                found[key] = value
    return found


def _allowed_by_field(field: FieldInfo) -> str | None:
    """What the field accepts, from its type and constraints; None if it cannot be said."""
    annotation, metadata = _unoptional(field.annotation), list(field.metadata)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata += extra
    constraints = _constraints(metadata)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choices(list(annotation))
    if typing.get_origin(annotation) is Literal:
        return _choices(typing.get_args(annotation))
    if annotation is Path and constraints.get("path_type") in _PATH_KINDS:
        return _PATH_KINDS[constraints["path_type"]]
    kind = _PLAIN_KINDS.get(annotation)
    if kind is None:
        return None
    details = [_bounds(constraints)] if annotation in (int, float) else []
    if constraints.get("pattern"):
        details.append(f"matching {constraints['pattern']}")
    return " ".join([kind, *(d for d in details if d)])


def _allowed_by_error(error: Any) -> str:
    """What is allowed, from the error alone (pydantic's type and context)."""
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("enum", "literal_error"):
        return f"one of {ctx.get('expected', '').replace(chr(39), '')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"a number {_bounds(ctx)}"
    if kind.startswith("bool_"):
        return "true or false"
    if kind.startswith("int_"):
        return "an integer"
    if kind.startswith("float_"):
        return "a number"
    if kind == "string_pattern_mismatch":
        return f"text matching {ctx.get('pattern')}"
    if kind.startswith("path_"):
        return _PATH_KINDS.get(kind.removeprefix("path_not_").replace("directory", "dir"),
                               "a path")
    message: str = error.get("msg", "invalid")
    return message[0].lower() + message[1:] if message else "valid"


def _shown(settings_cls: type[BaseSettings], field: str, value: Any) -> str:
    info = settings_cls.model_fields.get(field)
    if info is not None and SecretStr in (info.annotation, *typing.get_args(info.annotation)):
        return "'***'"
    return repr(value)


def describe_invalid_settings(error: ValidationError, settings_cls: type[BaseSettings],
                              given: Collection[str] = ()) -> list[str]:
    """One line per invalid setting: `invalid setting ENV_NAME='value': must be ...`.

    `given` names the fields that came from command-line flags (named `--flag` in the
    lines); the others came from the environment (named by their env var). A cross-field
    error (`SettingsConflict`) names all its settings in one line.
    """
    lines: list[str] = []
    seen: set[str] = set()
    for problem in error.errors():
        loc = problem.get("loc", ())
        ctx = problem.get("ctx") or {}
        cause = ctx.get("error")
        if not loc:
            if isinstance(cause, SettingsConflict):
                values = problem.get("input")
                values = values if isinstance(values, dict) else {}
                named = [
                    (f"{setting_name(settings_cls, f, given)}="
                     f"{_shown(settings_cls, f, values[f])}" if values.get(f) is not None
                     else f"{setting_name(settings_cls, f, given)} (unset)")
                    for f in cause.fields]
                lines.append(f"invalid settings {', '.join(named)}: {cause.message}")
            else:
                lines.append(f"invalid settings: {cause or problem.get('msg', 'invalid')}")
            continue
        field = str(loc[0])
        if field in seen:
            continue
        seen.add(field)
        name = setting_name(settings_cls, field, given)
        if problem["type"] == "extra_forbidden":
            lines.append(f"unknown setting {name}")
            continue
        if problem["type"] == "missing":
            lines.append(f"missing setting {name}")
            continue
        info = settings_cls.model_fields.get(field)
        if problem["type"] in _OWN_MESSAGES:
            allowed = str(cause) if cause is not None else problem.get("msg", "invalid")
        else:
            by_field = _allowed_by_field(info) if info is not None and len(loc) == 1 else None
            allowed = "must be " + (by_field or _allowed_by_error(problem))
        lines.append(f"invalid setting {name}={_shown(settings_cls, field, problem.get('input'))}"
                     f": {allowed}")
    return lines
