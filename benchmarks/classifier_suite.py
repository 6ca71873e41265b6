"""The classifier side by side, in one run, on the same ONNX model.

1. ceiling: bare tokenisation + `session.run` in this process, at the batch sizes the
   batcher forms;
2. ours: `emotion-chat serve classifier` over gRPC;
3. triton: Triton's dynamic batcher through PyTriton (own virtualenv), the same model run by
   onnxruntime in the bound function with server-side tokenisation;
4. baseline: the BERT & GPT pipeline paper's Flask app running a transformers pipeline per
   request (PyTorch).

Every server runs in its own process and the load generator in another; systems alternate
within each round and the report takes medians over rounds (the machine is noisy).
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bare import bare_throughput
from benchmarks.peers.venvs import ensure_pytriton_venv, pytriton_env
from emotion_chat_cli.launch import ServiceProcess, start_process, start_service

PEERS_DIR = Path(__file__).with_name("peers")
Progress = Callable[[str], None]


@dataclass
class SuiteConfig:
    model_dir: Path
    checkpoint_dir: Path | None
    levels: Sequence[int] = (1, 8, 32, 64)
    duration: float = 20.0
    warmup: float = 3.0
    rounds: int = 2
    systems: Sequence[str] = ("ours", "triton", "baseline")
    bare_batch_sizes: Sequence[int] = (1, 4, 8, 16)
    multi_text: int = 8
    max_batch_size: int = 16
    triton_queue_delay_us: int = 2000
    device: str = "cpu"
    equal_rate_share: float = 0.7


@dataclass
class SuiteResult:
    ceiling: dict[int, float] = field(default_factory=dict)
    closed: dict[str, dict[int, dict[str, float]]] = field(default_factory=dict)
    multi_text: dict[str, float] = field(default_factory=dict)
    equal_rate: dict[str, dict[str, float]] = field(default_factory=dict)
    rate: float = 0.0
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def loadgen(system: str, target: str, duration: float, warmup: float, *,
            concurrency: Sequence[int] = (), rates: Sequence[float] = (),
            per_request: int = 1) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "benchmarks.loadgen", "--system", system, "--target",
               target, "--duration", str(duration), "--warmup", str(warmup),
               "--texts-per-request", str(per_request)]
    if rates:
        command += ["--poisson", "--rate", *map(str, rates)]
    else:
        command += ["--concurrency", *map(str, concurrency)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def start_system(system: str, config: SuiteConfig) -> tuple[ServiceProcess, str]:
    """Start one system's server; return it and the load generator's --system kind."""
    if system == "ours":
        process = start_service("classifier", [
            "--model", str(config.model_dir), "--host", "127.0.0.1", "--port", "0",
            "--metrics-port", "0", "--log-level", "WARNING", "--device", config.device,
            "--max-batch-size", str(config.max_batch_size)])
        return process, "grpc"
    port = free_port()
    if system == "triton":
        python = ensure_pytriton_venv(config.device)
        process = start_process("pytriton", [
            str(python), str(PEERS_DIR / "pytriton_server.py"), str(config.model_dir),
            "--http-port", str(port), "--grpc-port", str(free_port()),
            "--metrics-port", str(free_port()), "--max-batch-size", str(config.max_batch_size),
            "--max-queue-delay-us", str(config.triton_queue_delay_us),
            "--device", config.device],
            env=pytriton_env(), timeout=300)
        return process, "triton"
    if system == "baseline":
        if config.checkpoint_dir is None:
            raise ValueError("the baseline needs the model's PyTorch checkpoint")
        process = start_process("flask-pipeline", [
            sys.executable, "-m", "benchmarks.peers.flask_pipeline",
            str(config.checkpoint_dir), "--port", str(port)], timeout=300)
        return process, "http-predict"
    raise ValueError(f"unknown system {system!r}")


def _median_levels(runs: list[list[dict[str, Any]]]) -> dict[int, dict[str, float]]:
    by_level: dict[int, list[dict[str, Any]]] = {}
    for run in runs:
        for row in run:
            by_level.setdefault(int(row["concurrency"]), []).append(row)
    return {level: {key: statistics.median(float(r[key]) for r in rows)
                    for key in ("throughput", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "errors")}
            for level, rows in sorted(by_level.items())}


def run_suite(config: SuiteConfig, progress: Progress = print) -> SuiteResult:
    from classifier_service.model import ClassifierModel

    result = SuiteResult()
    ceiling_runs: dict[int, list[float]] = {b: [] for b in config.bare_batch_sizes}
    closed_runs: dict[str, list[list[dict[str, Any]]]] = {s: [] for s in config.systems}
    multi_runs: list[float] = []
    for round_no in range(1, config.rounds + 1):
        model = ClassifierModel.load(config.model_dir, device=config.device)
        for batch_size in config.bare_batch_sizes:
            rate = bare_throughput(model, batch_size, config.duration, config.warmup)
            ceiling_runs[batch_size].append(rate)
            progress(f"round {round_no}/{config.rounds} · ceiling batch {batch_size}: "
                     f"{rate:.1f} texts/s")
        del model
        for system in config.systems:
            try:
                process, kind = start_system(system, config)
            except Exception as exc:
                result.errors.append(f"{system}: could not start: {exc}")
                progress(f"round {round_no} · {system}: could not start ({exc})")
                continue
            try:
                rows = loadgen(kind, process.target, config.duration, config.warmup,
                               concurrency=config.levels)
                closed_runs[system].append(rows)
                for row in rows:
                    progress(f"round {round_no}/{config.rounds} · {system} c={row['concurrency']}"
                             f": {row['throughput']:.1f} texts/s, p99 {row['p99_ms']:.0f} ms")
                if system == "ours" and config.multi_text > 1:
                    (row,) = loadgen(kind, process.target, config.duration, config.warmup,
                                     concurrency=[max(1, 32 // config.multi_text)],
                                     per_request=config.multi_text)
                    multi_runs.append(row["throughput"])
                    progress(f"round {round_no} · ours, {config.multi_text} texts/request: "
                             f"{row['throughput']:.1f} texts/s")
            finally:
                process.stop()
    result.ceiling = {b: statistics.median(v) for b, v in ceiling_runs.items()}
    result.closed = {s: _median_levels(runs) for s, runs in closed_runs.items() if runs}
    if multi_runs:
        result.multi_text = {"texts_per_request": config.multi_text,
                             "throughput": statistics.median(multi_runs)}
    _equal_rate(config, result, progress)
    return result


def _equal_rate(config: SuiteConfig, result: SuiteResult, progress: Progress) -> None:
    """p99 of every system at one request rate all of them sustain (Poisson arrivals)."""
    bests = {s: max(v["throughput"] for v in levels.values())
             for s, levels in result.closed.items()}
    contenders = [s for s in ("ours", "triton") if s in bests]
    if not contenders:
        return
    result.rate = round(config.equal_rate_share * min(bests[s] for s in contenders), 1)
    for system in result.closed:
        if bests[system] < result.rate:
            continue  # cannot sustain it: reported as such
        process, kind = start_system(system, config)
        try:
            (row,) = loadgen(kind, process.target, config.duration, config.warmup,
                             rates=[result.rate])
        finally:
            process.stop()
        result.equal_rate[system] = {k: float(row[k]) for k in
                                     ("throughput", "p50_ms", "p99_ms", "errors")}
        progress(f"equal rate {result.rate}/s · {system}: p50 {row['p50_ms']:.0f} ms, "
                 f"p99 {row['p99_ms']:.0f} ms")
