"""Recommender settings: env `RECOMMENDER_*`, or the same names as flags of `serve
recommender`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from emotion_chat.settings import ServiceSettings


class RecommenderSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECOMMENDER_")

    port: int = Field(default=50054, ge=0, le=65535)
    """gRPC port; 0 picks a free port."""

    metrics_port: int = Field(default=9094, ge=0, le=65535)
    """Prometheus /metrics HTTP port; 0 picks a free port."""

    index_dir: Path | None = None
    """A folder written by `emotion-chat music index` (the index and the tracks' metadata);
    default: the data home's music/index, built from the synthesised catalogue on first use
    (`serve all` and `make demo` do it)."""

    catalogue_dir: Path | None = None
    """Where the audio files are, when not where the index was built from (a volume mounted
    elsewhere)."""

    default_k: int = Field(default=5, ge=1)
    """Tracks per answer when a request gives no k (the music-recommendation chatbot's five)."""

    max_k: int = Field(default=50, ge=1)
    """Largest k a request may ask for."""

    remembered_conversations: int = Field(default=10_000, ge=0)
    """Conversations whose given tracks are remembered (least recently used forgotten), so
    a conversation hears no repeat until its emotion's tracks are used up."""

    audio_chunk_bytes: int = Field(default=1 << 20, ge=4096, le=4 << 20)
    """Most bytes one ReadAudio returns."""
