"""Generator metrics: time to first token, total latency, tokens out, errors by backend."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from emotion_chat.errors import ErrorCode
from emotion_chat.taxonomy import CORE_LABELS

LATENCY_BUCKETS = (.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60)


class GeneratorMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ["backend", "persona"]
        self.time_to_first_token = Histogram(
            "generator_time_to_first_token_seconds", "From request to the first text delta.",
            labels, registry=registry, buckets=LATENCY_BUCKETS)
        self.duration = Histogram(
            "generator_generation_seconds", "From request to the whole reply.", labels,
            registry=registry, buckets=LATENCY_BUCKETS)
        self.tokens_out = Counter(
            "generator_tokens_out", "Tokens generated (bank: words).", labels,
            registry=registry)
        self.replies = Counter(
            "generator_replies", "Replies written, by backend, persona and reply emotion.",
            [*labels, "emotion"], registry=registry)
        self.errors = Counter(
            "generator_backend_errors", "Backend failures by gRPC status code.",
            ["backend", "code"], registry=registry)
        self.in_flight = Gauge(
            "generator_in_flight", "Generations in progress.", ["backend"], registry=registry)
        self.backend = Info("generator_backend", "Active backend and model.", registry=registry)

    def precreate(self, backend: str, personas: Iterable[str]) -> None:
        """Zero series for the active backend, so that dashboards show 0 before the first
        reply: in flight, errors by code, and tokens and replies for every persona and core
        emotion."""
        self.in_flight.labels(backend)
        for code in ErrorCode:
            self.errors.labels(backend, code.name)
        for persona in personas:
            self.tokens_out.labels(backend, persona)
            for emotion in CORE_LABELS:
                self.replies.labels(backend, persona, emotion)
