"""End-to-end turns/s and the orchestrator's own overhead per turn, over gRPC and HTTP side
by side.

    python -m benchmarks.orchestrator [--concurrency 1 8] [--duration 15] [--rounds 2]

Starts the whole stack (demo classifier, bank generator, in-memory store; or the running one
given by --target/--http-url), then runs closed-loop chat turns, each client in its own
conversation, alternating the two front doors level by level (same stack, same moment).

Two overheads are reported per turn:
- `overhead`: what the orchestrator reports, total minus the classify, generate and
  consistency stages (lock, load, policy, save): the chat core's own time, the same code for
  both doors;
- `own` (client-side): end-to-end as the client measures it minus those model stages: the
  core plus the front door (parsing, serialising, the loopback round trip and the client
  library). Its difference between HTTP and gRPC is what the HTTP door costs.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

import aiohttp
import grpc
import numpy as np

from benchmarks.sentences import sentence_mix
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc

PROTOCOLS = ("grpc", "http")
# One turn: (conversation, text) -> the stage timings it reports, in ms.
Turn = Callable[[str, str], Awaitable[dict[str, float]]]


@dataclass
class TurnLevel:
    protocol: str
    concurrency: int
    turns: int
    errors: int
    turns_per_s: float
    e2e_p50_ms: float
    e2e_p99_ms: float
    # as the orchestrator reports it (inside the turn: total minus model stages)
    overhead_p50_ms: float
    overhead_p99_ms: float
    # as the client sees it: end-to-end minus the model stages (adds the front door)
    own_p50_ms: float
    own_p99_ms: float
    classify_p50_ms: float
    generate_p50_ms: float


async def _measure(turn: Turn, protocol: str, concurrency: int, duration: float,
                   warmup: float) -> TurnLevel:
    texts = itertools.cycle(sentence_mix())
    e2e: list[float] = []
    overhead: list[float] = []
    own: list[float] = []
    classify: list[float] = []
    generate: list[float] = []
    errors = 0
    measuring = False
    stop_at = time.monotonic() + warmup + duration

    async def client(n: int) -> None:
        nonlocal errors
        conversation = f"bench-{protocol}-{n}-{time.time_ns()}"
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            try:
                t = await turn(conversation, next(texts))
            except (grpc.aio.AioRpcError, aiohttp.ClientError):
                errors += measuring
                continue
            if measuring:
                e2e.append((time.perf_counter() - start) * 1e3)
                models = (t["classify_ms"] + t["generate_ms"] + t["consistency_ms"]
                          + t.get("recommend_ms", 0.0))
                own.append(e2e[-1] - models)
                overhead.append(t["overhead_ms"])
                classify.append(t["classify_ms"])
                generate.append(t["generate_ms"])

    tasks = [asyncio.create_task(client(i)) for i in range(concurrency)]
    await asyncio.sleep(warmup)
    measuring = True
    began = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - began

    def p(values: list[float], q: float) -> float:
        return float(np.percentile(values, q)) if values else 0.0

    return TurnLevel(protocol, concurrency, len(e2e), errors, len(e2e) / elapsed, p(e2e, 50),
                     p(e2e, 99), p(overhead, 50), p(overhead, 99), p(own, 50), p(own, 99),
                     p(classify, 50), p(generate, 50))


async def closed_loop(target: str, concurrency: int, duration: float, warmup: float
                      ) -> TurnLevel:
    """Turns over gRPC (`ChatService/Chat`)."""
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.ChatServiceStub(channel)

        async def turn(conversation: str, text: str) -> dict[str, float]:
            t = (await stub.Chat(pb.ChatRequest(conversation_id=conversation, text=text),
                                 timeout=30)).timings
            return {"classify_ms": t.classify_ms, "generate_ms": t.generate_ms,
                    "consistency_ms": t.consistency_ms, "recommend_ms": t.recommend_ms,
                    "overhead_ms": t.overhead_ms}

        return await _measure(turn, "grpc", concurrency, duration, warmup)


async def http_closed_loop(base_url: str, concurrency: int, duration: float, warmup: float
                           ) -> TurnLevel:
    """The same turns over HTTP/JSON (`POST /v1/conversations/{id}/messages`), with aiohttp
    (a light client, so the figure is the server's and not the client library's)."""
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(base_url, connector=connector) as session:

        async def turn(conversation: str, text: str) -> dict[str, float]:
            async with session.post(f"/v1/conversations/{conversation}/messages",
                                    json={"text": text}) as response:
                response.raise_for_status()
                timings: dict[str, float] = (await response.json())["timings"]
                return timings

        return await _measure(turn, "http", concurrency, duration, warmup)


def side_by_side(target: str, http_url: str, levels: list[int], duration: float,
                 warmup: float, rounds: int = 1) -> list[TurnLevel]:
    """Every level over both doors, alternating, `rounds` times; the median round per
    (protocol, level) by throughput."""
    measured: dict[tuple[str, int], list[TurnLevel]] = {}
    for _ in range(rounds):
        for level in levels:
            for protocol in PROTOCOLS:
                run = (closed_loop(target, level, duration, warmup) if protocol == "grpc"
                       else http_closed_loop(http_url, level, duration, warmup))
                measured.setdefault((protocol, level), []).append(asyncio.run(run))
    chosen = []
    for runs in measured.values():
        runs.sort(key=lambda r: r.turns_per_s)
        chosen.append(runs[len(runs) // 2])
    return sorted(chosen, key=lambda r: (r.concurrency, r.protocol))


def http_over_grpc(levels: list[TurnLevel]) -> dict[int, float]:
    """Per concurrency: the HTTP door's own overhead p50 minus gRPC's, in ms."""
    by = {(r.protocol, r.concurrency): r for r in levels}
    return {c: round(by[("http", c)].own_p50_ms - by[("grpc", c)].own_p50_ms, 3)
            for (p, c) in by if p == "grpc" and ("http", c) in by}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=None, help="a running orchestrator (gRPC)")
    parser.add_argument("--http-url", default=None, help="its HTTP front door")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    processes = []
    target, http_url = args.target, args.http_url
    if target is None or http_url is None:
        from emotion_chat_cli.stack import start_stack

        processes = start_stack(free_ports=True, echo=False)
        target, http_url = processes[-1].target, processes[-1].http_url
    try:
        levels = side_by_side(target, http_url, args.concurrency, args.duration, args.warmup,
                              args.rounds)
        for level in levels:
            print(json.dumps(asdict(level)), flush=True)
        print(json.dumps({"http_own_overhead_p50_above_grpc_ms": http_over_grpc(levels)}))
    finally:
        from emotion_chat_cli.stack import stop_stack

        stop_stack(processes)


if __name__ == "__main__":
    main()
