"""Closed-loop load against the classifier over gRPC (run in its own process).

    python -m benchmarks.loadgen --target 127.0.0.1:50052 --concurrency 1 32 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from dataclasses import asdict, dataclass

import grpc
import numpy as np

from benchmarks.sentences import sentence_mix
from emotion_chat.v1 import classifier_pb2 as pb
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc


@dataclass
class LevelResult:
    concurrency: int
    requests: int
    errors: int
    throughput: float  # texts per second
    p50_ms: float
    p90_ms: float
    p99_ms: float


async def closed_loop(target: str, concurrency: int, duration: float, warmup: float,
                      texts_per_request: int = 1) -> LevelResult:
    texts = itertools.cycle(sentence_mix())
    latencies: list[float] = []
    errors = 0
    measuring = False
    stop_at = 0.0
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.ClassifierServiceStub(channel)

        async def client() -> None:
            nonlocal errors
            while time.monotonic() < stop_at:
                request = pb.ClassifyRequest(
                    texts=[next(texts) for _ in range(texts_per_request)], top_k=1)
                start = time.perf_counter()
                try:
                    await stub.Classify(request, timeout=30)
                except grpc.aio.AioRpcError:
                    if measuring:
                        errors += 1
                    continue
                if measuring:
                    latencies.append(time.perf_counter() - start)

        stop_at = time.monotonic() + warmup + duration
        tasks = [asyncio.create_task(client()) for _ in range(concurrency)]
        await asyncio.sleep(warmup)
        measuring = True
        began = time.monotonic()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
    lat = np.array(latencies) * 1e3 if latencies else np.zeros(1)
    return LevelResult(concurrency, len(latencies), errors,
                       len(latencies) * texts_per_request / elapsed,
                       float(np.percentile(lat, 50)), float(np.percentile(lat, 90)),
                       float(np.percentile(lat, 99)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:50052")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--texts-per-request", type=int, default=1)
    args = parser.parse_args()
    for level in args.concurrency:
        result = asyncio.run(closed_loop(args.target, level, args.duration, args.warmup,
                                         args.texts_per_request))
        print(json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main()
