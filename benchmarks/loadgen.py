"""Load generator: closed loop (a concurrency sweep) and open loop (fixed or Poisson arrival
rate), against our classifier over gRPC or an HTTP system (the per-request baseline, Triton).

    python -m benchmarks.loadgen --system grpc --target 127.0.0.1:50052 --concurrency 1 32
    python -m benchmarks.loadgen --system triton --target 127.0.0.1:8000 --rate 20 --poisson

Open-loop latency is measured from each request's *scheduled* send time, so a server that
falls behind shows its queueing instead of hiding it (coordinated omission). One JSON line is
printed per level. Runs in its own process, apart from the servers it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import grpc
import httpx
import numpy as np

from benchmarks.sentences import sentence_mix
from emotion_chat.v1 import classifier_pb2 as pb
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc

TRITON_MODEL = "classifier"


class Client(Protocol):
    async def call(self, texts: list[str]) -> None: ...

    async def close(self) -> None: ...


class GrpcClient:
    def __init__(self, target: str) -> None:
        self._channel = grpc.aio.insecure_channel(target)
        self._stub = pb_grpc.ClassifierServiceStub(self._channel)

    async def call(self, texts: list[str]) -> None:
        await self._stub.Classify(pb.ClassifyRequest(texts=texts, top_k=1), timeout=60)

    async def close(self) -> None:
        await self._channel.close()


class HttpPredictClient:
    """POST /predict {"texts": [...]} (the BERT & GPT pipeline paper's Flask design)."""

    def __init__(self, target: str, connections: int) -> None:
        self._http = httpx.AsyncClient(base_url=f"http://{target}", timeout=60,
                                       limits=httpx.Limits(max_connections=connections))

    async def call(self, texts: list[str]) -> None:
        response = await self._http.post("/predict", json={"texts": texts})
        response.raise_for_status()

    async def close(self) -> None:
        await self._http.aclose()


class TritonClient:
    """KServe v2 HTTP inference on Triton: a BYTES tensor of shape [n, 1]."""

    def __init__(self, target: str, connections: int) -> None:
        self._http = httpx.AsyncClient(base_url=f"http://{target}", timeout=60,
                                       limits=httpx.Limits(max_connections=connections))

    async def call(self, texts: list[str]) -> None:
        body = {"inputs": [{"name": "text", "shape": [len(texts), 1], "datatype": "BYTES",
                            "data": texts}]}
        response = await self._http.post(f"/v2/models/{TRITON_MODEL}/infer", json=body)
        response.raise_for_status()

    async def close(self) -> None:
        await self._http.aclose()


def make_client(system: str, target: str, connections: int) -> Client:
    if system == "grpc":
        return GrpcClient(target)
    if system == "http-predict":
        return HttpPredictClient(target, connections)
    if system == "triton":
        return TritonClient(target, connections)
    raise ValueError(f"unknown system {system!r}")


@dataclass
class LevelResult:
    mode: str
    concurrency: int
    rate: float
    texts_per_request: int
    requests: int
    errors: int
    throughput: float  # texts per second
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float


def _result(mode: str, concurrency: int, rate: float, per_request: int, latencies: list[float],
            errors: int, elapsed: float) -> LevelResult:
    lat = np.array(latencies) * 1e3 if latencies else np.zeros(1)
    q = np.percentile(lat, [50, 90, 95, 99])
    return LevelResult(mode, concurrency, rate, per_request, len(latencies), errors,
                       len(latencies) * per_request / elapsed, *map(float, q))


def batches(per_request: int) -> Iterator[list[str]]:
    texts = itertools.cycle(sentence_mix())
    while True:
        yield [next(texts) for _ in range(per_request)]


async def closed_loop(client: Client, concurrency: int, duration: float, warmup: float,
                      per_request: int = 1) -> LevelResult:
    requests = batches(per_request)
    latencies: list[float] = []
    errors = 0
    measuring = False
    stop_at = time.monotonic() + warmup + duration

    async def worker() -> None:
        nonlocal errors
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            try:
                await client.call(next(requests))
            except Exception:
                errors += measuring
                continue
            if measuring:
                latencies.append(time.perf_counter() - start)

    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(warmup)
    measuring = True
    began = time.monotonic()
    await asyncio.gather(*tasks)
    return _result("closed", concurrency, 0.0, per_request, latencies, errors,
                   time.monotonic() - began)


async def open_loop(client: Client, rate: float, duration: float, warmup: float,
                    per_request: int = 1, poisson: bool = False, max_in_flight: int = 512,
                    seed: int = 0) -> LevelResult:
    """Send at `rate` requests/s regardless of answers; latency from the scheduled time."""
    requests = batches(per_request)
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = 0
    in_flight: set[asyncio.Task[Any]] = set()
    start = time.perf_counter()
    measure_from = start + warmup
    end = measure_from + duration

    async def send(scheduled: float, measured: bool) -> None:
        nonlocal errors
        try:
            await client.call(next(requests))
        except Exception:
            errors += measured
            return
        if measured:
            latencies.append(time.perf_counter() - scheduled)

    scheduled = start
    while scheduled < end:
        scheduled += rng.expovariate(rate) if poisson else 1.0 / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        measured = scheduled >= measure_from
        if len(in_flight) >= max_in_flight:  # the server is hopelessly behind
            errors += measured
            continue
        task = asyncio.create_task(send(scheduled, measured))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    await asyncio.gather(*in_flight)
    return _result("poisson" if poisson else "open", 0, rate, per_request, latencies, errors,
                   duration)


async def run(args: argparse.Namespace) -> None:
    connections = max([*args.concurrency, 64])
    client = make_client(args.system, args.target, connections)
    try:
        if args.rate:
            for rate in args.rate:
                result = await open_loop(client, rate, args.duration, args.warmup,
                                         args.texts_per_request, args.poisson)
                print(json.dumps(asdict(result)), flush=True)
        else:
            for level in args.concurrency:
                result = await closed_loop(client, level, args.duration, args.warmup,
                                           args.texts_per_request)
                print(json.dumps(asdict(result)), flush=True)
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", choices=["grpc", "http-predict", "triton"], default="grpc")
    parser.add_argument("--target", default="127.0.0.1:50052")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--rate", type=float, nargs="*", default=[],
                        help="open loop at these request rates instead of a closed loop")
    parser.add_argument("--poisson", action="store_true", help="Poisson arrivals (open loop)")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--texts-per-request", type=int, default=1)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
