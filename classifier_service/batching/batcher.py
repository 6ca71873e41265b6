"""The dynamic batcher: callers submit encoded texts and await one future per text.

Worker tasks (created inside the running loop by `start`) take batches from the waiting
texts with `select_batch` and run them in a thread pool, so the event loop keeps accepting
RPCs while the model runs; texts that arrive during inference form the next batch. An idle
worker may linger up to `max_queue_delay_s` for a fuller batch. Before a batch runs, texts
whose caller gave up (cancelled) are dropped and texts past their deadline fail with
DEADLINE_EXCEEDED. If a batch fails, every text in it gets the error.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from classifier_service.batching.items import Priority, QueuedText
from classifier_service.batching.selection import select_batch
from classifier_service.tokenization import EncodedText
from emotion_chat.errors import (
    DeadlineExpiredError,
    EmotionChatError,
    NotReadyError,
    OverloadedError,
)

log = logging.getLogger(__name__)

Predict = Callable[[list[EncodedText]], npt.NDArray[np.float32]]


class InferenceError(EmotionChatError):
    """A batch failed in the model; reported to each of its callers (INTERNAL)."""


@dataclass(frozen=True)
class BatchPolicy:
    max_batch_size: int
    max_batch_tokens: int
    max_queue_delay_s: float
    max_queue_size: int
    workers: int = 1
    max_padding_ratio: float = 1.0


@dataclass(slots=True, frozen=True)
class BatchOutcome:
    """What a text's future resolves to."""

    scores: npt.NDArray[np.float32]
    queue_s: float
    inference_s: float
    batch_size: int
    batch_id: int = 0
    """The batch's number in this batcher (1, 2, ...; 0: not from a batch)."""
    padded_length: int = 0
    """Tokens per row of the batch (its longest text)."""
    started_at: float = 0.0
    """When the batch's inference began (time.monotonic())."""


class BatchObserver(Protocol):
    def queue_depth(self, depth: int) -> None: ...

    def batch_done(self, size: int, padded_tokens: int, real_tokens: int,
                   inference_s: float, queue_waits: list[float]) -> None: ...

    def dropped(self, reason: str, count: int) -> None: ...


class DynamicBatcher:
    def __init__(self, predict: Predict, policy: BatchPolicy,
                 observer: BatchObserver | None = None) -> None:
        self.policy = policy
        self._predict = predict
        self._observer = observer
        self._waiting: list[QueuedText] = []
        self._workers: list[asyncio.Task[None]] = []
        self._executor: ThreadPoolExecutor | None = None
        self._arrived: asyncio.Event | None = None
        self._room: asyncio.Event | None = None
        self._accepting = False
        self._batch_ids = itertools.count(1)

    @property
    def depth(self) -> int:
        return len(self._waiting)

    async def start(self) -> None:
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._executor = ThreadPoolExecutor(self.policy.workers, thread_name_prefix="inference")
        self._workers = [asyncio.create_task(self._work(), name=f"batcher-worker-{i}")
                         for i in range(self.policy.workers)]
        self._accepting = True

    async def stop(self) -> None:
        """Stop taking texts; texts still waiting fail with UNAVAILABLE."""
        self._accepting = False
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        for text in self._waiting:
            if not text.future.done():
                text.future.set_exception(NotReadyError("classifier is shutting down"))
        self._waiting = []
        if self._executor is not None:
            # The thread may still be inside the model: wait for it without blocking the loop.
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
            self._executor = None

    def submit(self, encoded: list[EncodedText], deadline: float | None = None,
               priority: Priority = Priority.INTERACTIVE) -> list[asyncio.Future[BatchOutcome]]:
        """Queue texts (all or none) and return their futures; OverloadedError when full."""
        if not self._accepting or self._arrived is None:
            raise NotReadyError("classifier is not accepting requests")
        limit = self.policy.max_queue_size
        if len(self._waiting) + len(encoded) > limit:
            raise OverloadedError(
                f"classifier queue is full ({len(self._waiting)} texts waiting, limit {limit}); "
                "retry later")
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        futures: list[asyncio.Future[BatchOutcome]] = []
        for e in encoded:
            future: asyncio.Future[BatchOutcome] = loop.create_future()
            self._waiting.append(QueuedText(e, future, now, deadline, priority))
            futures.append(future)
        self._arrived.set()
        self._report_depth()
        return futures

    async def submit_when_room(self, encoded: list[EncodedText], deadline: float | None = None,
                               priority: Priority = Priority.BULK
                               ) -> list[asyncio.Future[BatchOutcome]]:
        """Like submit, but waits for room instead of failing (back-pressure for streams)."""
        assert self._room is not None, "batcher not started"
        while True:
            try:
                return self.submit(encoded, deadline, priority)
            except OverloadedError:
                self._room.clear()
                await self._room.wait()

    # -- workers ---------------------------------------------------------------------------

    async def _work(self) -> None:
        assert self._arrived is not None
        while True:
            while not self._waiting:
                self._arrived.clear()
                await self._arrived.wait()
            if self.policy.max_queue_delay_s > 0:
                await self._linger()
            batch = self._take_batch()
            if batch:
                await self._run(batch)

    async def _linger(self) -> None:
        """Wait for a fuller batch, up to max_queue_delay after the oldest text arrived."""
        assert self._arrived is not None
        oldest = min(t.enqueued_at for t in self._waiting)
        until = oldest + self.policy.max_queue_delay_s
        while len(self._waiting) < self.policy.max_batch_size:
            remaining = until - time.monotonic()
            if remaining <= 0:
                return
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return

    def _take_batch(self) -> list[QueuedText]:
        self._drop_abandoned()
        policy = self.policy
        batch = select_batch(self._waiting, policy.max_batch_size, policy.max_batch_tokens,
                             policy.max_padding_ratio)
        if batch:
            chosen = set(map(id, batch))
            self._waiting = [t for t in self._waiting if id(t) not in chosen]
            self._report_depth()
            assert self._room is not None
            self._room.set()
        return batch

    def _drop_abandoned(self) -> None:
        now = time.monotonic()
        kept: list[QueuedText] = []
        cancelled = expired = 0
        for text in self._waiting:
            if text.future.done():  # the caller cancelled (client gone or deadline hit)
                cancelled += 1
            elif text.deadline is not None and text.deadline <= now:
                expired += 1
                text.future.set_exception(DeadlineExpiredError(
                    "deadline exceeded while waiting in the classifier queue"))
            else:
                kept.append(text)
        if cancelled or expired:
            self._waiting = kept
            if self._observer is not None:
                if cancelled:
                    self._observer.dropped("cancelled", cancelled)
                if expired:
                    self._observer.dropped("deadline", expired)

    async def _run(self, batch: list[QueuedText]) -> None:
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        encoded = [t.encoded for t in batch]
        try:
            scores = await loop.run_in_executor(self._executor, self._predict, encoded)
        except asyncio.CancelledError:  # stop() while this batch runs
            for text in batch:
                if not text.future.done():
                    text.future.set_exception(NotReadyError("classifier is shutting down"))
            raise
        except Exception as exc:
            log.exception("inference failed for a batch of %d texts", len(batch))
            error = InferenceError(f"inference failed for a batch of {len(batch)} texts")
            error.__cause__ = exc
            for text in batch:
                if not text.future.done():
                    text.future.set_exception(error)
            return
        inference_s = time.monotonic() - started
        waits = [started - t.enqueued_at for t in batch]
        batch_id, width = next(self._batch_ids), max(e.length for e in encoded)
        for row, text in enumerate(batch):
            if not text.future.done():
                text.future.set_result(BatchOutcome(scores[row], waits[row], inference_s,
                                                    len(batch), batch_id, width, started))
        if self._observer is not None:
            self._observer.batch_done(len(batch), width * len(batch),
                                      sum(e.length for e in encoded), inference_s, waits)

    def _report_depth(self) -> None:
        if self._observer is not None:
            self._observer.queue_depth(len(self._waiting))


def wait_all(futures: list[asyncio.Future[Any]]) -> asyncio.Future[list[Any]]:
    """Gather that cancels the remaining futures as soon as one fails."""
    gathered = asyncio.gather(*futures)

    def cancel_rest(done: asyncio.Future[list[Any]]) -> None:
        if done.cancelled() or done.exception() is not None:
            for f in futures:
                f.cancel()

    gathered.add_done_callback(cancel_rest)
    return gathered
