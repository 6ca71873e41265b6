"""Classifier settings: env `CLASSIFIER_*`, or the same names as flags of `serve classifier`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from emotion_chat.settings import ServiceSettings


class ClassifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLASSIFIER_")

    port: int = Field(default=50052, ge=0, le=65535)
    """gRPC port; 0 picks a free port."""

    metrics_port: int = Field(default=9092, ge=0, le=65535)
    """Prometheus /metrics HTTP port; 0 picks a free port."""

    model: str | None = None
    """ONNX model dir (model.onnx, tokenizer.json, config.json). Unset: the embedded demo
    model, built on first use."""

    model_name: str | None = None
    """Name reported in model info and metrics (default: from config.json or the dir name)."""

    model_version: str | None = None
    """Version reported in model info (default: config.json's model_version, else a content
    hash of model.onnx)."""

    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Execution provider: cuda (CUDAExecutionProvider), cpu, or auto (CUDA when available)."""

    device_id: int = Field(default=0, ge=0)
    """CUDA device ordinal."""

    io_binding: bool = True
    """On CUDA, bind the outputs on the device and copy once (ONNX Runtime IO binding)."""

    intra_op_threads: int = Field(default=0, ge=0)
    """ONNX Runtime intra-op threads; 0 = one per physical core."""

    inter_op_threads: int = Field(default=1, ge=1)
    """ONNX Runtime inter-op threads."""

    allow_spinning: bool = False
    """Let ONNX Runtime's idle threads spin; burns CPU the gRPC loop needs on small machines."""

    max_length: int | None = Field(default=None, ge=8)
    """Tokens per text before truncation (default 128, capped by the model's positions)."""

    max_batch_size: int | None = Field(default=None, ge=1)
    """Texts per inference batch (default per device: cpu 16, cuda 64)."""

    max_batch_tokens: int | None = Field(default=None, ge=8)
    """Padded tokens per batch, batch size × longest text (default: cpu 2048, cuda 16384)."""

    max_padding_ratio: float | None = Field(default=None, ge=0, le=1)
    """Largest share of padding tokens allowed in a batch; texts that would pad more wait for
    a better-matched batch (default: cpu 0.2, cuda 1.0 = no limit)."""

    max_queue_delay_ms: float | None = Field(default=None, ge=0)
    """How long an idle worker waits for more texts before running a partial batch
    (default: cpu 0, cuda 2). Texts arriving during inference are batched regardless."""

    max_queue_size: int = Field(default=1024, ge=1)
    """Texts waiting for a batch; a request that does not fit gets RESOURCE_EXHAUSTED."""

    inference_workers: int | None = Field(default=None, ge=1)
    """Batches run concurrently (default: cpu 1, cuda 2 to overlap copies and compute)."""

    max_texts_per_request: int = Field(default=256, ge=1)
    """Most texts one Classify request may carry."""

    max_text_chars: int = Field(default=10000, ge=1)
    """Longest text accepted, in characters, before tokenisation."""

    stream_window: int = Field(default=128, ge=1)
    """Texts of one ClassifyStream call in flight at once (back-pressure beyond)."""

    multi_label_threshold: float = Field(default=0.5, gt=0, lt=1)
    """Threshold of a multi-label model's labels that config.json gives none for."""

    warmup: bool = True
    """Run warm-up batches before reporting SERVING."""
