"""The recommender under load: `Recommend` and `Similar`, closed loop over gRPC at a few
concurrency levels, against the embedded catalogue's index (a separate process).

    python -m benchmarks.recommender [--concurrency 1 32] [--duration 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import time
from dataclasses import asdict, dataclass

import grpc
import numpy as np

from emotion_chat.v1 import recommender_pb2 as pb
from emotion_chat.v1 import recommender_pb2_grpc as pb_grpc

EMOTIONS = ("행복", "불안", "슬픔", "당황", "상처", "분노", "중립", "공포", "기쁨")


@dataclass(frozen=True)
class RpcLevel:
    rpc: str
    concurrency: int
    calls: int
    errors: int
    calls_per_s: float
    p50_ms: float
    p99_ms: float


async def measure(target: str, rpc: str, concurrency: int, duration: float, warmup: float
                  ) -> RpcLevel:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.RecommenderServiceStub(channel)
        ids = [t.id for e in EMOTIONS[:7]
               for t in (await stub.Recommend(pb.RecommendRequest(emotion=e, k=50))).tracks]
        rng = random.Random(0)
        latencies: list[float] = []
        errors = 0
        measuring = False
        stop_at = time.monotonic() + warmup + duration

        async def call(n: int) -> None:
            if rpc == "Recommend":
                await stub.Recommend(pb.RecommendRequest(
                    emotion=rng.choice(EMOTIONS), k=5, conversation_id=f"bench-{n % 50}"),
                    timeout=10)
            else:
                await stub.Similar(pb.SimilarRequest(track_id=rng.choice(ids), k=5),
                                   timeout=10)

        async def client() -> None:
            nonlocal errors
            for n in itertools.count():
                if time.monotonic() >= stop_at:
                    return
                start = time.perf_counter()
                try:
                    await call(n)
                except grpc.aio.AioRpcError:
                    errors += measuring
                    continue
                if measuring:
                    latencies.append((time.perf_counter() - start) * 1e3)

        tasks = [asyncio.create_task(client()) for _ in range(concurrency)]
        await asyncio.sleep(warmup)
        measuring = True
        began = time.monotonic()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
    p50, p99 = (np.percentile(latencies, [50, 99]) if latencies else (0.0, 0.0))
    return RpcLevel(rpc, concurrency, len(latencies), errors, len(latencies) / elapsed,
                    float(p50), float(p99))


def run(levels: list[int], duration: float, warmup: float) -> list[RpcLevel]:
    """Start the recommender on the embedded catalogue (built if needed) and measure it."""
    from emotion_chat_cli.launch import start_service
    from emotion_chat_cli.stack import build_music_index_in_foreground

    build_music_index_in_foreground()
    service = start_service("recommender", ["--port", "0", "--metrics-port", "0"])
    try:
        return [asyncio.run(measure(service.target, rpc, c, duration, warmup))
                for rpc in ("Recommend", "Similar") for c in levels]
    finally:
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    for level in run(args.concurrency, args.duration, args.warmup):
        print(json.dumps(asdict(level)), flush=True)


if __name__ == "__main__":
    main()
