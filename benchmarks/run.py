"""`emotion-chat bench`: every benchmark of the project in one run, one report.

    emotion-chat bench --quick            # a few minutes on a 2-core machine
    emotion-chat bench                    # full: 4 concurrency levels, 20 s each, 2 rounds
    emotion-chat bench --device cuda --skip baseline   # on a GPU node (see benchmarks/README.md)

Writes results.json, report.md and PNG plots to --out (default results/<timestamp>).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.classifier_suite import SuiteConfig, run_suite
from benchmarks.orchestrator import TurnLevel, http_over_grpc
from benchmarks.report import write


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="1 round, concurrency 1 and 32, 8 s per level")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=None,
                        help="ONNX model dir (default: klue/bert-base shape, random weights)")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="its PyTorch checkpoint, for the per-request baseline")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                        help="cuda: CUDA execution provider and an fp16-optimised export")
    parser.add_argument("--levels", type=int, nargs="+", default=None)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["triton", "baseline", "orchestrator", "generator",
                                 "recommender"],
                        help="parts to leave out")
    parser.add_argument("--triton-queue-delay-us", type=int, default=2000)


def _orchestrator(levels: list[int], duration: float, warmup: float, rounds: int
                  ) -> list[dict[str, Any]]:
    from benchmarks.orchestrator import side_by_side
    from emotion_chat_cli.stack import start_stack, stop_stack

    processes = start_stack(free_ports=True, echo=False)
    try:
        orchestrator = processes[-1]
        return [asdict(level) for level in side_by_side(
            orchestrator.target, orchestrator.http_url, levels, duration, warmup, rounds)]
    finally:
        stop_stack(processes)


def _generator(tokens: int, rounds: int) -> list[dict[str, Any]]:
    from benchmarks.generator import measure
    from benchmarks.models import build_kogpt2_base

    model = str(build_kogpt2_base())
    return [asyncio.run(measure(model, runtime, tokens, rounds)) for runtime in ("torch", "onnx")]


def run(args: argparse.Namespace) -> int:
    from benchmarks.models import bert_base_dir, build_bert_base, checkpoint_of

    quick = args.quick
    levels = args.levels or ([1, 32] if quick else [1, 8, 32, 64])
    duration = args.duration or (8.0 if quick else 20.0)
    warmup = 2.0 if quick else 3.0
    rounds = args.rounds or (1 if quick else 2)
    out = args.out or Path("results") / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f}s] {message}", flush=True)

    progress("preparing the klue/bert-base-shaped model (random weights, 58 labels)")
    if args.model is not None:
        model_dir = args.model
    elif args.device == "cuda":
        model_dir = build_bert_base(bert_base_dir().with_name("bench-klue-bert-base-58-fp16"),
                                    optimize=True, fp16=True)
    else:
        model_dir = build_bert_base()
    checkpoint = args.checkpoint or (checkpoint_of(model_dir) if args.model is None else None)
    systems = [s for s in ("ours", "triton", "baseline") if s not in args.skip]
    if checkpoint is None and "baseline" in systems:
        progress("no PyTorch checkpoint given: the per-request baseline is skipped")
        systems.remove("baseline")
    config = SuiteConfig(model_dir=model_dir, checkpoint_dir=checkpoint, levels=levels,
                         duration=duration, warmup=warmup, rounds=rounds, systems=systems,
                         device=args.device, triton_queue_delay_us=args.triton_queue_delay_us)
    result = run_suite(config, progress)
    extra: dict[str, Any] = {}
    if "orchestrator" not in args.skip:
        progress("orchestrator end to end over gRPC and HTTP (demo classifier, bank generator, "
                 "memory store)")
        turns = _orchestrator([1, 8], duration, warmup, rounds)
        extra["Orchestrator end to end, gRPC and HTTP"] = turns
        extra["HTTP front door: own overhead p50 above gRPC's (target ≤ 1 ms)"] = [
            {"concurrency": c, "ms": ms}
            for c, ms in http_over_grpc([TurnLevel(**t) for t in turns]).items()]
    if "recommender" not in args.skip:
        progress("recommender: Recommend and Similar at concurrency 1 and 32 (embedded "
                 "catalogue, HNSW index)")
        from benchmarks.recommender import run as recommender_run

        extra["Recommender (gRPC, embedded catalogue)"] = [
            asdict(level) for level in recommender_run([1, 32], duration, warmup)]
    if "generator" not in args.skip:
        progress("local generator backend on a kogpt2-base-v2-shaped model")
        extra["Local generator (kogpt2-base-v2 shape)"] = _generator(32 if quick else 64,
                                                                     2 if quick else 4)
    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "device": args.device,
            "levels": levels, "duration_s": duration, "rounds": rounds, "quick": quick,
            "model": str(model_dir), "minutes": round((time.monotonic() - started) / 60, 1)}
    files = write(result, extra, out, "emotion-chat benchmark", meta)
    progress("wrote " + ", ".join(str(f) for f in files))
    print((out / "report.md").read_text(encoding="utf-8"))
    return 0
