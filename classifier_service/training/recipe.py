"""`emotion-chat train`: fine-tune a BERT-family checkpoint on a labelled table.

Seed-001 recipe: drop missing rows and duplicate sentences, stratified 6:2:2 split with seed
0, max length 128, lr 2e-5, batch 64, early stopping on validation accuracy, per-class report
on the held-out test split. The output dir is a Hugging Face checkpoint (model, tokenizer,
config with id2label) that `emotion-chat export` turns into a served ONNX model.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from classifier_service.training.data import read_table, split
from classifier_service.training.report import evaluate
from classifier_service.training.trainer import (
    TrainConfig,
    fine_tune,
    fit_temperature,
    logits_of,
    predict,
)


def train(data_path: Path, base: str, out_dir: Path, config: TrainConfig,
          text_column: str = "sentence", label_column: str = "label") -> dict[str, object]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    data, cleaning = read_table(data_path, text_column, label_column)
    train_part, validation, test = split(data, seed=config.seed)
    labels = data.label_set
    print(f"{data_path}: {cleaning.rows} rows, dropped {cleaning.dropped_missing} with missing "
          f"values and {cleaning.dropped_duplicates} duplicates; {len(labels)} labels; train "
          f"{len(train_part)}, validation {len(validation)}, test {len(test)}", flush=True)
    label2id = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label2id,
        problem_type="single_label_classification", ignore_mismatched_sizes=True)
    result = fine_tune(model, tokenizer, train_part, validation, label2id, config)
    temperature = fit_temperature(logits_of(model, tokenizer, validation.texts, config),
                                  [label2id[label] for label in validation.labels])
    model.config.calibration_temperature = round(temperature, 4)
    predicted = [labels[i] for i in predict(model, tokenizer, test.texts, config)]
    report = evaluate(test.labels, predicted, labels)
    print(f"test accuracy {report.accuracy:.4f} (best validation {result.best_val_accuracy:.4f} "
          f"at epoch {result.best_epoch}; random {1 / len(labels):.4f})\n{report.table()}",
          flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    summary: dict[str, object] = {
        "base": base, "data": str(data_path), "config": asdict(config),
        "cleaning": asdict(cleaning),
        "split": {"train": len(train_part), "validation": len(validation), "test": len(test)},
        "best_epoch": result.best_epoch, "validation_accuracy": result.best_val_accuracy,
        "calibration_temperature": temperature,
        "test": report.as_dict(), "history": result.history,
    }
    (out_dir / "training_report.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"saved to {out_dir}; export with: emotion-chat export {out_dir} OUT_DIR")
    return summary
