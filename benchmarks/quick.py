"""Quick side-by-side: our classifier over gRPC vs. bare `session.run`, same model, one run.

    python -m benchmarks.quick [--model DIR] [--duration 15] [--rounds 2]

Builds the klue/bert-base-shaped random-weight model (58 labels) unless --model is given.
Each round measures, alternating: bare tokenise+run at batch 1 and at the batch sizes the
batcher forms, then the served model at concurrency 1 and 32 (client in a second process).
Medians over rounds are reported with the ratios. The machine is noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.bare import bare_throughput
from emotion_chat_cli.launch import start_service


def run_loadgen(target: str, concurrency: int, duration: float) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.loadgen", "--target", target, "--concurrency",
         str(concurrency), "--duration", str(duration), "--warmup", "3"],
        check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--bare-batch-sizes", type=int, nargs="+", default=[1, 4, 8, 16])
    args = parser.parse_args()
    from benchmarks.models import build_bert_base
    from classifier_service.model import ClassifierModel

    model_dir = args.model or build_bert_base()
    bare: dict[int, list[float]] = {b: [] for b in args.bare_batch_sizes}
    served: dict[int, list[dict[str, float]]] = {1: [], 32: []}
    for round_no in range(1, args.rounds + 1):
        model = ClassifierModel.load(model_dir, device="cpu")
        for batch_size in args.bare_batch_sizes:
            bare[batch_size].append(bare_throughput(model, batch_size, args.duration))
            print(f"round {round_no}: bare b={batch_size}: {bare[batch_size][-1]:.1f}/s",
                  flush=True)
        del model
        server = start_service("classifier", ["--model", str(model_dir), "--host", "127.0.0.1",
                                              "--port", "0", "--metrics-port", "0",
                                              "--log-level", "WARNING"])
        try:
            for concurrency in served:
                served[concurrency].append(run_loadgen(server.target, concurrency,
                                                       args.duration))
                r = served[concurrency][-1]
                print(f"round {round_no}: served c={concurrency}: {r['throughput']:.1f}/s, "
                      f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms", flush=True)
        finally:
            server.stop()
    bare_median = {b: statistics.median(v) for b, v in bare.items()}
    best_b = max(bare_median, key=lambda b: bare_median[b])
    print("\n| system | throughput (texts/s) | p50 ms | p99 ms |\n|---|---|---|---|")
    for b, rate in bare_median.items():
        print(f"| bare session.run, batch {b} | {rate:.1f} | | |")
    for c, runs in served.items():
        print(f"| our classifier over gRPC, concurrency {c} | "
              f"{statistics.median(r['throughput'] for r in runs):.1f} | "
              f"{statistics.median(r['p50_ms'] for r in runs):.1f} | "
              f"{statistics.median(r['p99_ms'] for r in runs):.1f} |")
    c1 = statistics.median(r["throughput"] for r in served[1])
    c32 = statistics.median(r["throughput"] for r in served[32])
    print(f"\nratios: served c=1 / bare b=1 = {c1 / bare_median[1]:.2f}; served c=32 / best "
          f"bare (b={best_b}) = {c32 / bare_median[best_b]:.2f}")


if __name__ == "__main__":
    main()
