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
from emotion_chat.v1 import (
    classifier_pb2_grpc,
    generator_pb2_grpc,
    orchestrator_pb2_grpc,
    recommender_pb2_grpc,
)

LOCAL = {"host": "127.0.0.1", "port": 0, "metrics_host": "127.0.0.1", "metrics_port": 0,
         "grace_period_s": 1.0}


@dataclass
class RunningService:
    runner: ServiceRunner
    service: Any
    channel: grpc.aio.Channel
    stub: Any

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float | None:
        return self.service.registry.get_sample_value(name, labels or {})

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.runner.port}"

    @property
    def http_url(self) -> str:
        """Base URL of the HTTP front door (the orchestrator's)."""
        (http,) = [s for s in self.runner.side_servers if s.name == "http"]
        return f"http://127.0.0.1:{http.port}"


@contextlib.asynccontextmanager
async def _running(service: Any, settings: Any, stub: Callable[[grpc.aio.Channel], Any]
                   ) -> AsyncIterator[RunningService]:
    runner = ServiceRunner(service, settings)
    await runner.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runner.port}") as channel:
            yield RunningService(runner, service, channel, stub(channel))
    finally:
        await runner.stop()


def classifier_settings(model_dir: Path, **overrides: Any) -> ClassifierSettings:
    return ClassifierSettings(model=str(model_dir), **{**LOCAL, **overrides})


@contextlib.asynccontextmanager
async def running_classifier(model_dir: Path, **overrides: Any
                             ) -> AsyncIterator[RunningService]:
    settings = classifier_settings(model_dir, **overrides)
    async with _running(ClassifierService(settings), settings,
                        classifier_pb2_grpc.ClassifierServiceStub) as running:
        yield running


@contextlib.asynccontextmanager
async def running_generator(**overrides: Any) -> AsyncIterator[RunningService]:
    from generator_service.service import GeneratorService
    from generator_service.settings import GeneratorSettings

    settings = GeneratorSettings(**{**LOCAL, **overrides})
    async with _running(GeneratorService(settings), settings,
                        generator_pb2_grpc.GeneratorServiceStub) as running:
        yield running


@contextlib.asynccontextmanager
async def running_recommender(index_dir: Path, **overrides: Any
                              ) -> AsyncIterator[RunningService]:
    from recommender_service.service import RecommenderService
    from recommender_service.settings import RecommenderSettings

    settings = RecommenderSettings(**{**LOCAL, "index_dir": index_dir, **overrides})
    async with _running(RecommenderService(settings), settings,
                        recommender_pb2_grpc.RecommenderServiceStub) as running:
        yield running


@contextlib.asynccontextmanager
async def running_orchestrator(classifier_target: str, generator_target: str,
                               **overrides: Any) -> AsyncIterator[RunningService]:
    from orchestrator.service import OrchestratorService
    from orchestrator.settings import OrchestratorSettings

    settings = OrchestratorSettings(**{
        **LOCAL, "http_host": "127.0.0.1", "http_port": 0,
        "classifier_target": classifier_target, "generator_target": generator_target,
        "classify_timeout_s": 5.0, **overrides})
    async with _running(OrchestratorService(settings), settings,
                        orchestrator_pb2_grpc.ChatServiceStub) as running:
        yield running


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


def gate(server: RunningService) -> GatedPredict:
    batcher = server.service.core.batcher
    gated = GatedPredict(batcher._predict)
    batcher._predict = gated
    return gated
