"""The ceiling: tokenisation + `session.run` in one process, no server.

    python -m benchmarks.bare MODEL_DIR --batch-sizes 1 8 16 32 --duration 20
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from benchmarks.sentences import sentence_mix
from classifier_service.model import ClassifierModel


def bare_throughput(model: ClassifierModel, batch_size: int, duration: float,
                    warmup: float = 2.0) -> float:
    """Texts per second classifying the sentence mix in batches of batch_size."""
    texts = itertools.cycle(sentence_mix())
    done = 0
    start = time.monotonic()
    measured_from = start + warmup
    while True:
        now = time.monotonic()
        if now >= measured_from + duration:
            break
        batch = [next(texts) for _ in range(batch_size)]
        model.predict(model.encoder.encode(batch))
        if now >= measured_from:
            done += batch_size
    return done / duration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 16, 32])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    model = ClassifierModel.load(args.model_dir, device="cpu", intra_op_threads=args.threads)
    for batch_size in args.batch_sizes:
        rate = bare_throughput(model, batch_size, args.duration)
        print(json.dumps({"batch_size": batch_size, "throughput": rate}), flush=True)


if __name__ == "__main__":
    main()
