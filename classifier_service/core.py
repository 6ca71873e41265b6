"""The classifier's one shared core: validation, tokenisation, batching, timings.

The gRPC servicer is a thin adapter over this class (as MLServer's servicers are over its
data plane), so every entry point (unary, streaming, in-process callers) behaves the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from classifier_service.batching import BatchOutcome, DynamicBatcher, Priority
from classifier_service.batching.batcher import wait_all
from classifier_service.metrics import ClassifierMetrics
from classifier_service.model import ClassifierModel
from classifier_service.settings import ClassifierSettings
from classifier_service.tokenization import EncodedText
from classifier_service.tracing import record_batches
from emotion_chat.errors import InvalidInputError
from emotion_chat.validation import check_text

# Requests with more characters than this are tokenised in a thread, off the event loop.
INLINE_TOKENIZE_CHARS = 4096


@dataclass(slots=True, frozen=True)
class TextResult:
    scores: npt.NDArray[np.float32]
    truncated: bool
    num_tokens: int


@dataclass(slots=True, frozen=True)
class Timings:
    tokenize_s: float
    queue_s: float
    inference_s: float
    total_s: float


@dataclass(slots=True, frozen=True)
class ClassifyResult:
    results: list[TextResult]
    timings: Timings


@dataclass(slots=True, frozen=True)
class StreamItem:
    id: str
    text: str
    top_k: int


class ClassifierCore:
    def __init__(self, model: ClassifierModel, batcher: DynamicBatcher,
                 settings: ClassifierSettings, metrics: ClassifierMetrics) -> None:
        self.model = model
        self.batcher = batcher
        self.settings = settings
        self.metrics = metrics

    # -- validation ----------------------------------------------------------------------

    def check_text(self, text: object, where: str) -> str:
        return check_text(text, where, self.settings.max_text_chars)

    def check_texts(self, texts: Sequence[object]) -> list[str]:
        if len(texts) == 0:
            raise InvalidInputError("texts is empty: send at least one text")
        limit = self.settings.max_texts_per_request
        if len(texts) > limit:
            raise InvalidInputError(f"{len(texts)} texts in one request, more than the limit "
                                    f"of {limit}; split the request or use ClassifyStream")
        return [self.check_text(t, f"texts[{i}]") for i, t in enumerate(texts)]

    # -- classification ------------------------------------------------------------------

    async def encode(self, texts: list[str]) -> list[EncodedText]:
        if sum(map(len, texts)) <= INLINE_TOKENIZE_CHARS:
            encoded = self.model.encoder.encode(texts)
        else:
            encoded = await asyncio.to_thread(self.model.encoder.encode, texts)
        truncated = sum(e.truncated for e in encoded)
        if truncated:
            self.metrics.truncated.inc(truncated)
        return encoded

    async def classify(self, texts: Sequence[object], deadline: float | None = None,
                       priority: Priority = Priority.INTERACTIVE) -> ClassifyResult:
        """Classify texts; `deadline` is an absolute time.monotonic() value or None."""
        checked = self.check_texts(texts)
        start = time.perf_counter()
        encoded = await self.encode(checked)
        tokenized = time.perf_counter()
        futures = self.batcher.submit(encoded, deadline, priority)
        self.metrics.texts_in_flight.inc(len(futures))
        try:
            outcomes = await wait_all(futures)
        finally:
            self.metrics.texts_in_flight.dec(len(futures))
        record_batches(outcomes)
        self.metrics.texts.labels(priority.name.lower()).inc(len(futures))
        end = time.perf_counter()
        timings = Timings(
            tokenize_s=tokenized - start,
            queue_s=max(o.queue_s for o in outcomes),
            inference_s=max(o.inference_s for o in outcomes),
            total_s=end - start)
        self.metrics.observe_stages(timings.tokenize_s, timings.queue_s, timings.inference_s,
                                    timings.total_s)
        results = [TextResult(o.scores, e.truncated, e.length)
                   for o, e in zip(outcomes, encoded, strict=True)]
        return ClassifyResult(results, timings)

    async def classify_stream(self, items: AsyncIterator[StreamItem]
                              ) -> AsyncIterator[tuple[StreamItem, TextResult]]:
        """Answer a stream of texts in order, with at most `stream_window` in flight.

        A feeder task reads, validates, tokenises and queues the texts; it blocks when the
        window is full or the batcher has no room (back-pressure instead of errors). The
        feeder's end, or its error, travels through the window after the texts before it.
        """
        window: asyncio.Queue[_WindowEntry] = asyncio.Queue(maxsize=self.settings.stream_window)

        async def feed() -> None:
            count = 0
            try:
                async for item in items:
                    self.check_text(item.text, f"stream item {count} (id {item.id!r}) text")
                    encoded = (await self.encode([item.text]))[0]
                    (future,) = await self.batcher.submit_when_room([encoded],
                                                                    priority=Priority.BULK)
                    await window.put((item, encoded, future))
                    count += 1
            except Exception as exc:
                await window.put(exc)
            else:
                await window.put(None)

        feeder = asyncio.create_task(feed())
        try:
            while (entry := await window.get()) is not None:
                if isinstance(entry, Exception):
                    raise entry
                item, encoded, future = entry
                outcome = await future
                self.metrics.texts.labels("bulk").inc()
                yield item, TextResult(outcome.scores, encoded.truncated, encoded.length)
        finally:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeder
            while not window.empty():
                entry = window.get_nowait()
                if isinstance(entry, tuple):
                    entry[2].cancel()


_WindowEntry = tuple[StreamItem, EncodedText, "asyncio.Future[BatchOutcome]"] | Exception | None
