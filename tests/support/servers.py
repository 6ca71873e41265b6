"""In-process services on free ports, driven through real gRPC channels."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from classifier_service.service import ClassifierService
from classifier_service.settings import ClassifierSettings
from emotion_chat.serving import ServiceRunner
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc


@dataclass
class RunningClassifier:
    runner: ServiceRunner
    service: ClassifierService
    channel: grpc.aio.Channel
    stub: pb_grpc.ClassifierServiceStub

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float | None:
        return self.service.registry.get_sample_value(name, labels or {})


def classifier_settings(model_dir: Path, **overrides: Any) -> ClassifierSettings:
    return ClassifierSettings(model=str(model_dir), host="127.0.0.1", port=0,
                              metrics_host="127.0.0.1", metrics_port=0, grace_period_s=1.0,
                              **overrides)


@contextlib.asynccontextmanager
async def running_classifier(model_dir: Path, **overrides: Any) -> AsyncIterator[RunningClassifier]:
    settings = classifier_settings(model_dir, **overrides)
    service = ClassifierService(settings)
    runner = ServiceRunner(service, settings)
    await runner.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runner.port}") as channel:
            yield RunningClassifier(runner, service, channel,
                                    pb_grpc.ClassifierServiceStub(channel))
    finally:
        await runner.stop()


class GatedPredict:
    """Wraps a batcher's predict: records each batch's size and can hold batches back."""

    def __init__(self, predict: Callable[..., Any]) -> None:
        self._predict = predict
        self.open = threading.Event()
        self.open.set()
        self.batch_sizes: list[int] = []
        self.fail_with: Exception | None = None

    def __call__(self, encoded: list[Any]) -> Any:
        self.open.wait(10)
        self.batch_sizes.append(len(encoded))
        if self.fail_with is not None:
            raise self.fail_with
        return self._predict(encoded)


def gate(server: RunningClassifier) -> GatedPredict:
    batcher = server.service.core.batcher
    gated = GatedPredict(batcher._predict)
    batcher._predict = gated
    return gated


@dataclass
class RunningGenerator:
    runner: ServiceRunner
    service: Any
    channel: grpc.aio.Channel
    stub: Any

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float | None:
        return self.service.registry.get_sample_value(name, labels or {})


@contextlib.asynccontextmanager
async def running_generator(**overrides: Any) -> AsyncIterator[RunningGenerator]:
    from emotion_chat.v1 import generator_pb2_grpc
    from generator_service.service import GeneratorService
    from generator_service.settings import GeneratorSettings

    settings = GeneratorSettings(host="127.0.0.1", port=0, metrics_host="127.0.0.1",
                                 metrics_port=0, grace_period_s=1.0, **overrides)
    service = GeneratorService(settings)
    runner = ServiceRunner(service, settings)
    await runner.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runner.port}") as channel:
            yield RunningGenerator(runner, service, channel,
                                   generator_pb2_grpc.GeneratorServiceStub(channel))
    finally:
        await runner.stop()


@dataclass
class RunningOrchestrator:
    runner: ServiceRunner
    service: Any
    channel: grpc.aio.Channel
    stub: Any

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float | None:
        return self.service.registry.get_sample_value(name, labels or {})


@contextlib.asynccontextmanager
async def running_orchestrator(classifier_target: str, generator_target: str,
                               **overrides: Any) -> AsyncIterator[RunningOrchestrator]:
    from emotion_chat.v1 import orchestrator_pb2_grpc
    from orchestrator.service import OrchestratorService
    from orchestrator.settings import OrchestratorSettings

    values: dict[str, Any] = dict(
        host="127.0.0.1", port=0, metrics_host="127.0.0.1", metrics_port=0,
        grace_period_s=1.0, classifier_target=classifier_target,
        generator_target=generator_target, classify_timeout_s=5.0)
    values.update(overrides)
    settings = OrchestratorSettings(**values)
    service = OrchestratorService(settings)
    runner = ServiceRunner(service, settings, interceptors=service.interceptors())
    await runner.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runner.port}") as channel:
            yield RunningOrchestrator(runner, service, channel,
                                      orchestrator_pb2_grpc.ChatServiceStub(channel))
    finally:
        await runner.stop()
