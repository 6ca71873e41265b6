"""Build the embedded demo model: `python -m training.demo.build [--out DIR]`.

Trains a WordPiece tokenizer and a small BERT from scratch on the shipped 7-label dataset
(split 6:2:2 with seed 0; tokenizer and teacher see the training split only) by distillation
from a character n-gram teacher (distill.py), fits a calibration temperature on the
validation split, reports held-out accuracy per class, exports to ONNX and installs the model
dir atomically (a lock keeps concurrent builds from racing). Needs the `train` extra; the
served result needs no torch.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path

from classifier_service.demo import DEMO_MODEL_NAME, DEMO_VERSION, default_demo_dir, is_built
from training.demo import DATASETS, LABELS
from training.staging import publish

# Threads are fixed so that the build is bit-for-bit reproducible on any machine.
BUILD_THREADS = 2


def build(out_dir: Path, *, progress: bool = True) -> dict[str, object]:
    import torch

    from emotion_chat.personas import BANK_DIR
    from training.classifier.export import export
    from training.classifier.report import evaluate
    from training.classifier.tokenizer import train_wordpiece
    from training.classifier.trainer import fit_temperature, seed_everything
    from training.demo.distill import Recipe, bank_texts, distill, logits_of
    from training.tables import read_tables, split

    started = time.monotonic()
    torch.set_num_threads(BUILD_THREADS)
    torch.use_deterministic_algorithms(True)
    seed_everything(0)
    recipe = Recipe()
    data = read_tables(DATASETS)
    train, validation, test = split(data, seed=0)
    print(f"dataset: {len(data)} sentences, {len(LABELS)} labels; train {len(train)}, "
          f"validation {len(validation)}, test {len(test)}", flush=True)
    tokenizer = train_wordpiece(train.texts, vocab_size=recipe.vocab_size)
    result = distill(train, validation, LABELS, tokenizer, bank_texts(BANK_DIR), recipe,
                     progress=(lambda m: print(m, flush=True)) if progress else None)
    model = result.model
    pad_id = tokenizer.pad_token_id

    def encode(texts: list[str]) -> list[list[int]]:
        ids: list[list[int]] = tokenizer(texts, truncation=True,
                                         max_length=recipe.max_length)["input_ids"]
        return ids

    label2id = {label: i for i, label in enumerate(LABELS)}
    temperature = fit_temperature(logits_of(model, encode(validation.texts), pad_id).numpy(),
                                  [label2id[label] for label in validation.labels])
    predicted = [LABELS[i] for i in
                 logits_of(model, encode(test.texts), pad_id).argmax(-1).tolist()]
    report = evaluate(test.labels, predicted, LABELS)
    seconds = time.monotonic() - started
    print(f"held-out test accuracy {report.accuracy:.3f} (validation "
          f"{result.validation_accuracy:.3f} at epoch {result.best_epoch}; calibration "
          f"temperature {temperature:.2f}; "
          f"trained in {seconds:.0f} s)\n{report.table()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = Path(tmp) / "checkpoint"
        model.config.model_version = DEMO_VERSION
        model.config.calibration_temperature = round(temperature, 4)
        model.config._name_or_path = DEMO_MODEL_NAME
        model.save_pretrained(checkpoint)
        tokenizer.save_pretrained(checkpoint)
        with warnings.catch_warnings():  # torch's tracer warnings say nothing to a user here
            warnings.simplefilter("ignore")
            export(str(checkpoint), out_dir, model_version=DEMO_VERSION)
    summary: dict[str, object] = {
        "model": DEMO_MODEL_NAME, "version": DEMO_VERSION,
        "dataset": "+".join(path.name for path in DATASETS),
        "recipe": asdict(recipe), "sentences": len(data),
        "split": {"train": len(train), "validation": len(validation), "test": len(test)},
        "best_epoch": result.best_epoch, "validation_accuracy": result.validation_accuracy,
        "calibration_temperature": temperature, "train_seconds": round(seconds, 1),
        "test": report.as_dict(), "history": result.history,
    }
    (out_dir / "training_report.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def build_once(out_dir: Path, force: bool = False, progress: bool = True) -> Path:
    """Build into a temporary sibling and rename, under a lock; skip if already built."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with (out_dir.parent / f".{out_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_built(out_dir) and not force:
            print(f"demo model already built at {out_dir}")
            return out_dir
        staging = out_dir.with_name(out_dir.name + ".building")
        shutil.rmtree(staging, ignore_errors=True)
        build(staging, progress=progress)
        publish(staging, out_dir)
    print(f"demo model ready at {out_dir}")
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the embedded demo emotion model.")
    parser.add_argument("--out", type=Path, default=default_demo_dir())
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    args = parser.parse_args(argv)
    build_once(args.out, force=args.force, progress=not args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
