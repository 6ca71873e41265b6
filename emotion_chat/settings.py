"""Settings shared by every service, read from the environment with a per-service prefix.

Each service subclasses `ServiceSettings` with its own `env_prefix` (`CLASSIFIER_`,
`GENERATOR_`, `ORCHESTRATOR_`) and default ports. Every field is also a CLI flag of
`emotion-chat serve <service>` (see `emotion_chat_cli.flags`): flags win over the environment,
the environment wins over the defaults.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    tls_cert_file: Path | None = None
    """PEM certificate chain: serve gRPC over TLS (with tls_key_file)."""

    tls_key_file: Path | None = None
    """PEM private key of tls_cert_file."""

    tls_client_ca_file: Path | None = None
    """PEM CA bundle: require and verify client certificates (mutual TLS)."""
