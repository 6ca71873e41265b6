"""gRPC clients of the classifier and the generator.

Channels use round_robin load balancing (with a `dns:///` target every pod behind a headless
Kubernetes Service gets calls; HTTP/2 connections are long-lived, so kube-proxy alone would
pin all traffic to one pod) and retry UNAVAILABLE through the gRPC service config. Every call
has a per-stage deadline, capped by what is left of the turn's own deadline.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc

from emotion_chat.v1 import classifier_pb2, classifier_pb2_grpc, generator_pb2, generator_pb2_grpc

MIN_TIMEOUT_S = 0.001


def service_config(services: Sequence[str], attempts: int) -> str:
    policy: dict[str, object] = {"name": [{"service": s} for s in services]}
    if attempts > 1:
        policy["retryPolicy"] = {
            "maxAttempts": attempts, "initialBackoff": "0.05s", "maxBackoff": "0.5s",
            "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
    return json.dumps({"loadBalancingConfig": [{"round_robin": {}}],
                       "methodConfig": [policy]})


def open_channel(target: str, services: Sequence[str], attempts: int, tls: bool,
                 ca_file: Path | None) -> grpc.aio.Channel:
    options = [("grpc.service_config", service_config(services, attempts)),
               ("grpc.enable_retries", 1),
               ("grpc.keepalive_time_ms", 30_000),
               ("grpc.max_receive_message_length", 16 * 1024 * 1024)]
    if tls:
        roots = ca_file.read_bytes() if ca_file is not None else None
        return grpc.aio.secure_channel(target, grpc.ssl_channel_credentials(roots), options)
    return grpc.aio.insecure_channel(target, options)


def timeout_for(stage_timeout: float, deadline: float | None) -> float:
    if deadline is None:
        return stage_timeout
    return max(MIN_TIMEOUT_S, min(stage_timeout, deadline - time.monotonic()))


@dataclass(frozen=True, slots=True)
class Classification:
    label: str
    score: float
    top: tuple[tuple[str, float], ...]
    label_count: int


class ClassifierClient:
    SERVICE = "emotion_chat.v1.ClassifierService"

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = classifier_pb2_grpc.ClassifierServiceStub(channel)
        self._timeout_s = timeout_s

    async def classify(self, texts: Sequence[str], deadline: float | None = None,
                       top_k: int = 3) -> list[Classification]:
        response = await self._stub.Classify(
            classifier_pb2.ClassifyRequest(texts=list(texts)),
            timeout=timeout_for(self._timeout_s, deadline))
        results = []
        for result in response.results:
            top = tuple((s.label, s.score) for s in result.scores[:top_k])
            results.append(Classification(top[0][0], top[0][1], top, len(result.scores)))
        return results

    async def label_count(self, deadline: float | None = None) -> int:
        info = await self._stub.GetModelInfo(classifier_pb2.GetModelInfoRequest(),
                                             timeout=timeout_for(self._timeout_s, deadline))
        return len(info.labels)


class GeneratorClient:
    SERVICE = "emotion_chat.v1.GeneratorService"

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = generator_pb2_grpc.GeneratorServiceStub(channel)
        self._timeout_s = timeout_s

    async def stream(self, request: generator_pb2.GenerateRequest, deadline: float | None
                     ) -> AsyncIterator[str | generator_pb2.GenerateResponse]:
        """Text deltas, then the final response."""
        call = self._stub.GenerateStream(request, timeout=timeout_for(self._timeout_s, deadline))
        async for event in call:
            if event.HasField("done"):
                yield event.done
            else:
                yield event.delta
