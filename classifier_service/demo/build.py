"""Build the embedded demo model: `python -m classifier_service.demo.build [--out DIR]`.

Trains a WordPiece tokenizer and a small BERT from scratch on the shipped 7-label dataset
(split 6:2:2 with seed 0; the tokenizer sees the training split only), reports held-out
accuracy per class, exports to ONNX and installs the model dir atomically (a lock keeps
concurrent builds from racing). Needs the `train` extra; the served result needs no torch.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from classifier_service.demo import (
    DATASET,
    DEMO_MODEL_NAME,
    DEMO_VERSION,
    LABELS,
    default_demo_dir,
    is_built,
)

# A model small enough to train in about a minute on two CPU cores.
DEMO_ARCHITECTURE = {"hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
                     "intermediate_size": 512, "max_position_embeddings": 128}
DEMO_VOCAB_SIZE = 1000  # below the syllable alphabet: pieces stay small and generalise


def build(out_dir: Path, *, progress: bool = True) -> dict[str, object]:
    from transformers import BertConfig, BertForSequenceClassification

    from classifier_service.training.data import read_table, split
    from classifier_service.training.export import export
    from classifier_service.training.report import evaluate
    from classifier_service.training.tokenizer import train_wordpiece
    from classifier_service.training.trainer import (
        TrainConfig,
        fine_tune,
        fit_temperature,
        logits_of,
        predict,
        seed_everything,
    )

    data, cleaning = read_table(DATASET)
    train, validation, test = split(data, seed=0)
    print(f"dataset: {len(data)} sentences, {len(LABELS)} labels; train {len(train)}, "
          f"validation {len(validation)}, test {len(test)}", flush=True)
    seed_everything(0)
    tokenizer = train_wordpiece(train.texts, vocab_size=DEMO_VOCAB_SIZE)
    label2id = {label: i for i, label in enumerate(LABELS)}
    config = BertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                        id2label=dict(enumerate(LABELS)), label2id=label2id,
                        problem_type="single_label_classification",
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                        **DEMO_ARCHITECTURE)
    model = BertForSequenceClassification(config)
    train_config = TrainConfig(learning_rate=1e-3, batch_size=32, max_epochs=40, patience=8,
                               warmup_ratio=0.1, max_length=64, device="cpu",
                               progress=progress)
    result = fine_tune(model, tokenizer, train, validation, label2id, train_config)
    temperature = fit_temperature(logits_of(model, tokenizer, validation.texts, train_config),
                                  [label2id[label] for label in validation.labels])
    print(f"calibration temperature {temperature:.2f} (fitted on the validation split)")
    predicted = [LABELS[i] for i in predict(model, tokenizer, test.texts, train_config)]
    report = evaluate(test.labels, predicted, LABELS)
    print(f"held-out test accuracy {report.accuracy:.3f} (best validation accuracy "
          f"{result.best_val_accuracy:.3f} at epoch {result.best_epoch})\n{report.table()}",
          flush=True)
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
        "model": DEMO_MODEL_NAME, "version": DEMO_VERSION, "dataset": DATASET.name,
        "sentences": len(data), "dropped_duplicates": cleaning.dropped_duplicates,
        "split": {"train": len(train), "validation": len(validation), "test": len(test)},
        "best_epoch": result.best_epoch, "validation_accuracy": result.best_val_accuracy,
        "calibration_temperature": temperature,
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
        shutil.rmtree(out_dir, ignore_errors=True)
        staging.rename(out_dir)
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
