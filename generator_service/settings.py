"""Generator settings: env `GENERATOR_*`, or the same names as flags of `serve generator`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from emotion_chat.settings import ServiceSettings


class GeneratorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GENERATOR_")

    port: int = Field(default=50053, ge=0, le=65535)
    """gRPC port; 0 picks a free port."""

    metrics_port: int = Field(default=9093, ge=0, le=65535)
    """Prometheus /metrics HTTP port; 0 picks a free port."""

    backend: Literal["bank", "openai", "local"] = "bank"
    """bank (offline reply bank), openai (any OpenAI-compatible chat API) or local (a
    KoGPT2-style causal LM; needs the local-lm extra)."""

    personas_file: Path | None = None
    """JSON file adding or overriding personas (same shape as the shipped personas.json)."""

    default_persona: str | None = None
    """Persona used when a request names none (default: bingbong, 빙봉)."""

    openai_base_url: str = "https://api.openai.com/v1"
    """Base URL of the chat-completions API (e.g. http://vllm:8000/v1)."""

    openai_model: str = "gpt-3.5-turbo"
    """Model name sent to the chat API."""

    openai_api_key: SecretStr | None = None
    """API key; prefer openai_api_key_file or OPENAI_API_KEY. Never logged."""

    openai_api_key_file: Path | None = None
    """File holding the API key (e.g. a mounted Kubernetes secret)."""

    openai_timeout_s: float = Field(default=30.0, gt=0)
    """Per-request timeout of the chat API (capped by the RPC's deadline)."""

    openai_max_retries: int = Field(default=1, ge=0)
    """SDK retries of connection errors, 429 and 5xx."""

    openai_max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    """Request field carrying max_new_tokens (newer OpenAI models want max_completion_tokens)."""

    local_model: str = "skt/kogpt2-base-v2"
    """Hub id or local dir of a KoGPT2-style checkpoint for the local backend."""

    local_runtime: Literal["torch", "onnx"] = "torch"
    """Run the local model with transformers (torch) or ONNX Runtime (optimum-onnx)."""

    local_device: Literal["auto", "cpu", "cuda"] = "auto"
    """Device of the local model."""

    local_threads: int = Field(default=0, ge=0)
    """torch CPU threads for the local model; 0 = torch's default."""

    max_concurrency: int = Field(default=1, ge=1)
    """Local generations running at once."""

    max_waiting: int = Field(default=8, ge=0)
    """Local generations waiting for a slot; beyond: RESOURCE_EXHAUSTED."""

    max_new_tokens: int = Field(default=64, ge=1)
    """Default reply length in tokens when a request gives none."""

    max_new_tokens_limit: int = Field(default=512, ge=1)
    """Largest max_new_tokens a request may ask for."""

    temperature: float = Field(default=0.8, ge=0, le=2)
    """Default sampling temperature (0 = greedy)."""

    top_p: float = Field(default=0.95, gt=0, le=1)
    """Default nucleus-sampling probability mass."""

    max_history_turns: int = Field(default=20, ge=0)
    """Most recent turns of history passed to the backend."""

    max_request_turns: int = Field(default=1000, ge=1)
    """Largest history a request may carry."""

    max_text_chars: int = Field(default=2000, ge=1)
    """Longest user text accepted, in characters."""
