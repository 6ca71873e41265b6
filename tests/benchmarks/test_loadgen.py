"""The load generator against a real classifier server (short runs)."""

import pytest
from servers import running_classifier

from benchmarks.loadgen import GrpcClient, closed_loop, open_loop
from benchmarks.sentences import sentence_mix


def test_the_shipped_sentence_mix() -> None:
    texts = sentence_mix()
    assert len(texts) == len(set(texts)) >= 400
    assert all(5 <= len(t) <= 60 for t in texts)
    assert sentence_mix(seed=0) == texts and sentence_mix(seed=1) != texts


@pytest.fixture(scope="module")
async def target(tiny_model_dir):
    async with running_classifier(tiny_model_dir) as server:
        yield f"127.0.0.1:{server.runner.port}"


async def test_closed_loop_counts_every_answer(target) -> None:
    client = GrpcClient(target)
    try:
        result = await closed_loop(client, concurrency=4, duration=1.0, warmup=0.2,
                                   per_request=3)
    finally:
        await client.close()
    assert result.errors == 0 and result.requests > 10
    assert result.throughput == pytest.approx(result.requests * 3 / 1.0, rel=0.2)
    assert result.p50_ms <= result.p90_ms <= result.p99_ms


async def test_open_loop_keeps_its_schedule(target) -> None:
    client = GrpcClient(target)
    try:
        result = await open_loop(client, rate=40, duration=1.0, warmup=0.2, poisson=False)
    finally:
        await client.close()
    assert result.mode == "open" and result.errors == 0
    assert 35 <= result.requests <= 45  # 40/s for one second, measured from the schedule


async def test_errors_are_counted_not_fatal() -> None:
    client = GrpcClient("127.0.0.1:9")
    try:
        result = await closed_loop(client, concurrency=2, duration=0.3, warmup=0.0)
    finally:
        await client.close()
    assert result.requests == 0 and result.errors > 0
