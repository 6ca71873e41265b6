"""Classifier metrics: per-stage latency, batch shapes, queue depth, in-flight texts.

Stage names follow text-embeddings-inference (`tokenization`, `queue`, `inference`, plus
`total`) so existing dashboards read them the same way.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from classifier_service.batching.items import Priority

LATENCY_BUCKETS = (.0005, .001, .0025, .005, .0075, .01, .015, .025, .05, .075, .1, .15, .25,
                   .5, 1.0, 2.5, 5.0)
BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256)
BATCH_TOKEN_BUCKETS = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)


class ClassifierMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.stage_seconds = Histogram(
            "classifier_stage_duration_seconds",
            "Time per request stage: tokenization, queue (longest wait of the request's texts), "
            "inference (longest batch of the request), total.",
            ["stage"], registry=registry, buckets=LATENCY_BUCKETS)
        self.batch_size = Histogram(
            "classifier_batch_size", "Texts per inference batch.", registry=registry,
            buckets=BATCH_SIZE_BUCKETS)
        self.batch_tokens = Histogram(
            "classifier_batch_tokens", "Padded tokens (batch size × longest text) per batch.",
            registry=registry, buckets=BATCH_TOKEN_BUCKETS)
        self.batch_padding_ratio = Histogram(
            "classifier_batch_padding_ratio", "Share of a batch's tokens that are padding.",
            registry=registry, buckets=(0, .05, .1, .2, .3, .4, .5, .6, .8, 1))
        self.batch_inference_seconds = Histogram(
            "classifier_batch_inference_seconds", "Model time per batch.", registry=registry,
            buckets=LATENCY_BUCKETS)
        self.queue_wait_seconds = Histogram(
            "classifier_queue_wait_seconds", "Per text: time from queueing to its batch start.",
            registry=registry, buckets=LATENCY_BUCKETS)
        self.queue_depth_gauge = Gauge(
            "classifier_queue_depth", "Texts waiting for a batch.", registry=registry)
        self.texts_in_flight = Gauge(
            "classifier_texts_in_flight", "Texts accepted and not yet answered.",
            registry=registry)
        self.texts = Counter(
            "classifier_texts", "Texts classified.", ["priority"], registry=registry)
        self.truncated = Counter(
            "classifier_truncated_texts", "Texts cut at max length.", registry=registry)
        self.dropped_texts = Counter(
            "classifier_dropped_texts",
            "Texts dropped before inference: caller cancelled, or deadline passed.",
            ["reason"], registry=registry)
        self.model = Info(
            "classifier_model", "Served model, version and execution provider.",
            registry=registry)
        self._stages = {name: self.stage_seconds.labels(name)
                        for name in ("tokenization", "queue", "inference", "total")}
        for priority in Priority:  # zero series before the first text
            self.texts.labels(priority.name.lower())

    def observe_stages(self, tokenization: float, queue: float, inference: float,
                       total: float) -> None:
        self._stages["tokenization"].observe(tokenization)
        self._stages["queue"].observe(queue)
        self._stages["inference"].observe(inference)
        self._stages["total"].observe(total)

    # -- BatchObserver -------------------------------------------------------------------

    def queue_depth(self, depth: int) -> None:
        self.queue_depth_gauge.set(depth)

    def batch_done(self, size: int, padded_tokens: int, real_tokens: int, inference_s: float,
                   queue_waits: list[float]) -> None:
        self.batch_size.observe(size)
        self.batch_tokens.observe(padded_tokens)
        self.batch_padding_ratio.observe(1 - real_tokens / padded_tokens)
        self.batch_inference_seconds.observe(inference_s)
        for wait in queue_waits:
            self.queue_wait_seconds.observe(wait)

    def dropped(self, reason: str, count: int) -> None:
        self.dropped_texts.labels(reason).inc(count)
