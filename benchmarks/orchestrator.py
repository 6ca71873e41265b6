"""End-to-end turns/s and the orchestrator's own overhead per turn.

    python -m benchmarks.orchestrator [--concurrency 1 8] [--duration 15]

Starts the whole stack (demo classifier, bank generator, in-memory store; or the running one
given by --target), then runs closed-loop chat turns, each client in its own conversation.
The overhead of a turn is what the orchestrator reports: total minus the classify, generate
and consistency stages (lock, load, policy, save and its own gRPC handling).
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
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc


@dataclass
class TurnLevel:
    concurrency: int
    turns: int
    errors: int
    turns_per_s: float
    e2e_p50_ms: float
    e2e_p99_ms: float
    # as the orchestrator reports it (inside the turn: total minus model stages)
    overhead_p50_ms: float
    overhead_p99_ms: float
    # as the client sees it: end-to-end minus the model stages (adds gRPC to the orchestrator)
    e2e_minus_models_p50_ms: float
    e2e_minus_models_p99_ms: float
    classify_p50_ms: float
    generate_p50_ms: float


async def closed_loop(target: str, concurrency: int, duration: float, warmup: float
                      ) -> TurnLevel:
    texts = itertools.cycle(sentence_mix())
    e2e: list[float] = []
    overhead: list[float] = []
    outside: list[float] = []
    classify: list[float] = []
    generate: list[float] = []
    errors = 0
    measuring = False
    stop_at = time.monotonic() + warmup + duration
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.ChatServiceStub(channel)

        async def client(n: int) -> None:
            nonlocal errors
            conversation = f"bench-{n}-{time.time_ns()}"
            while time.monotonic() < stop_at:
                start = time.perf_counter()
                try:
                    r = await stub.Chat(pb.ChatRequest(conversation_id=conversation,
                                                       text=next(texts)), timeout=30)
                except grpc.aio.AioRpcError:
                    errors += measuring
                    continue
                if measuring:
                    e2e.append((time.perf_counter() - start) * 1e3)
                    outside.append(e2e[-1] - r.timings.classify_ms - r.timings.generate_ms
                                   - r.timings.consistency_ms)
                    overhead.append(r.timings.overhead_ms)
                    classify.append(r.timings.classify_ms)
                    generate.append(r.timings.generate_ms)

        tasks = [asyncio.create_task(client(i)) for i in range(concurrency)]
        await asyncio.sleep(warmup)
        measuring = True
        began = time.monotonic()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began

    def p(values: list[float], q: float) -> float:
        return float(np.percentile(values, q)) if values else 0.0

    return TurnLevel(concurrency, len(e2e), errors, len(e2e) / elapsed, p(e2e, 50), p(e2e, 99),
                     p(overhead, 50), p(overhead, 99), p(outside, 50), p(outside, 99),
                     p(classify, 50), p(generate, 50))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=None, help="a running orchestrator")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    processes = []
    target = args.target
    if target is None:
        from orchestrator.stack import start_stack

        processes = start_stack(free_ports=True, echo=False)
        target = processes[-1].target
    try:
        for level in args.concurrency:
            result = asyncio.run(closed_loop(target, level, args.duration, args.warmup))
            print(json.dumps(asdict(result)), flush=True)
    finally:
        from orchestrator.stack import stop_stack

        stop_stack(processes)


if __name__ == "__main__":
    main()
