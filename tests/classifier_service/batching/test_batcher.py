"""The batcher against a deterministic in-process predict function."""

import asyncio
import threading
import time

import numpy as np
import pytest

from classifier_service.batching import BatchPolicy, DynamicBatcher
from classifier_service.batching.batcher import InferenceError
from classifier_service.tokenization import EncodedText
from emotion_chat.errors import DeadlineExpiredError, NotReadyError, OverloadedError


def text(length: int, marker: int = 1) -> EncodedText:
    return EncodedText([marker] * length, [0] * length, truncated=False)


POISON = 666


class Recorder:
    """predict(): row = [first id, length]; records batches; can be paused; fails on POISON."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, encoded: list[EncodedText]) -> np.ndarray:
        self.gate.wait(5)
        self.batches.append([e.ids[0] for e in encoded])
        if POISON in self.batches[-1]:
            raise RuntimeError("boom")
        return np.array([[e.ids[0], e.length] for e in encoded], dtype=np.float32)


def policy(**overrides) -> BatchPolicy:
    values = {"max_batch_size": 8, "max_batch_tokens": 4096, "max_queue_delay_s": 0.0,
              "max_queue_size": 64, "workers": 1}
    return BatchPolicy(**{**values, **overrides})


@pytest.fixture
async def started():
    batchers: list[DynamicBatcher] = []

    async def start(recorder: Recorder, **overrides) -> DynamicBatcher:
        batcher = DynamicBatcher(recorder, policy(**overrides))
        await batcher.start()
        batchers.append(batcher)
        return batcher

    yield start
    for batcher in batchers:
        await batcher.stop()


async def test_each_text_gets_its_own_row(started) -> None:
    recorder = Recorder()
    batcher = await started(recorder)
    futures = batcher.submit([text(3, 7), text(5, 9)])
    outcomes = await asyncio.gather(*futures)
    assert [o.scores.tolist() for o in outcomes] == [[7, 3], [9, 5]]
    assert all(o.batch_size == 2 for o in outcomes)


async def test_texts_arriving_during_inference_form_the_next_batch(started) -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = await started(recorder)
    first = batcher.submit([text(4, 1)])
    await asyncio.sleep(0.05)  # the worker is now blocked inside predict with [1]
    rest = [batcher.submit([text(4, i)])[0] for i in range(2, 8)]
    recorder.gate.set()
    await asyncio.gather(*first, *rest)
    assert recorder.batches == [[1], [2, 3, 4, 5, 6, 7]]


async def test_linger_collects_a_fuller_batch(started) -> None:
    recorder = Recorder()
    batcher = await started(recorder, max_queue_delay_s=0.2, max_batch_size=4)
    futures = []
    for i in range(4):
        futures += batcher.submit([text(3, i)])
        await asyncio.sleep(0.01)
    await asyncio.gather(*futures)
    assert recorder.batches == [[0, 1, 2, 3]]


async def test_full_queue_refuses_all_or_nothing(started) -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = await started(recorder, max_queue_size=3, max_batch_size=1)
    blocked = batcher.submit([text(2, 0)])
    await asyncio.sleep(0.05)
    queued = batcher.submit([text(2, 1), text(2, 2)])
    with pytest.raises(OverloadedError, match="queue is full"):
        batcher.submit([text(2, 3), text(2, 4)])
    assert batcher.depth == 2  # the refused request left nothing behind
    recorder.gate.set()
    await asyncio.gather(*blocked, *queued)


async def test_expired_and_cancelled_texts_are_dropped_before_inference(started) -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = await started(recorder, max_batch_size=8)
    blocker = batcher.submit([text(2, 0)])
    await asyncio.sleep(0.05)
    expired = batcher.submit([text(2, 1)], deadline=time.monotonic() + 0.01)
    cancelled = batcher.submit([text(2, 2)])
    kept = batcher.submit([text(2, 3)])
    cancelled[0].cancel()
    await asyncio.sleep(0.05)
    recorder.gate.set()
    await asyncio.gather(*blocker, *kept)
    with pytest.raises(DeadlineExpiredError):
        await expired[0]
    assert recorder.batches == [[0], [3]]


async def test_a_failed_batch_fails_every_text_in_it_and_the_next_batch_works(started) -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = await started(recorder)
    blocker = batcher.submit([text(2, 0)])
    await asyncio.sleep(0.05)
    victims = batcher.submit([text(2, POISON), text(2, 2)]) + batcher.submit([text(2, 3)])
    recorder.gate.set()
    await asyncio.gather(*blocker)
    results = await asyncio.gather(*victims, return_exceptions=True)
    assert all(isinstance(r, InferenceError) for r in results)
    assert "batch of 3 texts" in str(results[0])
    after = await asyncio.gather(*batcher.submit([text(2, 9)]))
    assert after[0].scores.tolist() == [9, 2]


async def test_stop_fails_waiting_texts_and_refuses_new_ones() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = DynamicBatcher(recorder, policy(max_batch_size=1))
    await batcher.start()
    batcher.submit([text(2, 0)])
    await asyncio.sleep(0.05)
    waiting = batcher.submit([text(2, 1)])
    stopping = asyncio.create_task(batcher.stop())
    await asyncio.sleep(0.05)
    recorder.gate.set()
    await stopping
    with pytest.raises(NotReadyError):
        await waiting[0]
    with pytest.raises(NotReadyError):
        batcher.submit([text(2, 2)])


async def test_submit_when_room_waits_instead_of_failing(started) -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = await started(recorder, max_queue_size=1, max_batch_size=1)
    first = batcher.submit([text(2, 0)])
    await asyncio.sleep(0.05)
    second = batcher.submit([text(2, 1)])  # queue now full
    third_task = asyncio.create_task(batcher.submit_when_room([text(2, 2)]))
    await asyncio.sleep(0.05)
    assert not third_task.done()
    recorder.gate.set()
    third = await third_task
    await asyncio.gather(*first, *second, *third)
    assert recorder.batches == [[0], [1], [2]]


async def test_stop_during_inference_fails_that_batch_without_blocking_the_loop() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = DynamicBatcher(recorder, policy())
    await batcher.start()
    running = batcher.submit([text(2, 0)])
    await asyncio.sleep(0.05)
    stopping = asyncio.create_task(batcher.stop())
    with pytest.raises(NotReadyError):
        await asyncio.wait_for(running[0], 1)
    recorder.gate.set()  # reached only if stop() left the event loop free
    await asyncio.wait_for(stopping, 5)
