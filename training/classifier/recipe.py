"""`emotion-chat train`: fine-tune a BERT-family checkpoint on a labelled table.

The BERT & GPT pipeline paper's recipe: drop missing rows and duplicate sentences, stratified
6:2:2 split with seed 0, max length 128, lr 2e-5, batch 64, early stopping on validation
accuracy, per-class report on the held-out test split. The output dir is a Hugging Face
checkpoint (model, tokenizer, config with id2label) that `emotion-chat export` turns into a
served ONNX model.

`--problem-type multi_label` (the Inside Out chatbot's four emotions that can hold at once):
labels from one column joined by a separator or from one 0/1 column per label; binary
cross-entropy over sigmoids; early stopping on validation micro-F1; a threshold per label
tuned on validation and stored in `config.json` (`label_thresholds`, which the classifier
service applies); a per-label report on the test split.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from training.classifier.report import evaluate
from training.classifier.trainer import (
    TrainConfig,
    fine_tune,
    fit_temperature,
    logits_of,
    predict,
    targets_of,
)
from training.staging import publish
from training.tables import LabelledData, read_multilabel_table, read_table, split

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


def _staging(out_dir: Path) -> Path:
    staging = out_dir.with_name(out_dir.name + ".training")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _finish(staging: Path, out_dir: Path) -> None:
    """The checkpoint appears whole or not at all."""
    publish(staging, out_dir)


def train(data_path: Path, base: str, out_dir: Path, config: TrainConfig,
          text_column: str = "sentence", label_column: str = "label",
          problem_type: str = "single_label", label_columns: list[str] | None = None,
          separator: str = "|") -> dict[str, object]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    multi_label = problem_type == "multi_label"
    if multi_label:
        table, cleaning = read_multilabel_table(data_path, text_column, label_columns,
                                                separator, label_column)
        data, labels = table.data, table.names
    else:
        data, cleaning = read_table(data_path, text_column, label_column)
        labels = data.label_set
    train_part, validation, test = split(data, seed=config.seed)
    print(f"{data_path}: {cleaning.rows} rows, dropped {cleaning.dropped_missing} with missing "
          f"values and {cleaning.dropped_duplicates} duplicates; {len(labels)} labels"
          f"{' (multi-label)' if multi_label else ''}; train {len(train_part)}, validation "
          f"{len(validation)}, test {len(test)}", flush=True)
    label2id = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label2id,
        problem_type="multi_label_classification" if multi_label
        else "single_label_classification", ignore_mismatched_sizes=True)
    result = fine_tune(model, tokenizer, train_part, validation, label2id, config, multi_label)
    summary: dict[str, object] = {
        "base": base, "data": str(data_path), "problem_type": problem_type,
        "config": asdict(config), "cleaning": asdict(cleaning),
        "split": {"train": len(train_part), "validation": len(validation), "test": len(test)},
        "best_epoch": result.best_epoch, "history": result.history,
    }
    if multi_label:
        summary.update(_multi_label_test(model, tokenizer, validation, test, labels,
                                         label2id, config, result.best_val_accuracy))
    else:
        temperature = fit_temperature(logits_of(model, tokenizer, validation.texts, config),
                                      [label2id[label] for label in validation.labels])
        model.config.calibration_temperature = round(temperature, 4)
        predicted = [labels[i] for i in predict(model, tokenizer, test.texts, config)]
        report = evaluate(test.labels, predicted, labels)
        print(f"test accuracy {report.accuracy:.4f} (best validation "
              f"{result.best_val_accuracy:.4f} at epoch {result.best_epoch}; random "
              f"{1 / len(labels):.4f})\n{report.table()}", flush=True)
        summary.update({"validation_accuracy": result.best_val_accuracy,
                        "calibration_temperature": temperature, "test": report.as_dict()})
    staging = _staging(out_dir)
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / "training_report.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    _finish(staging, out_dir)
    print(f"saved to {out_dir}; export with: emotion-chat export {out_dir} OUT_DIR")
    return summary


def _multi_label_test(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                      validation: LabelledData,
                      test: LabelledData, labels: list[str], label2id: dict[str, int],
                      config: TrainConfig, best: float) -> dict[str, object]:
    from training.classifier.multilabel import report, tune_thresholds

    def probabilities(data: LabelledData) -> np.ndarray:
        logits = logits_of(model, tokenizer, data.texts, config)
        return 1 / (1 + np.exp(-logits))

    thresholds = tune_thresholds(probabilities(validation),
                                 np.array(targets_of(validation, label2id, True)), labels)
    model.config.label_thresholds = thresholds  # the classifier service reads it
    scores = report(probabilities(test), np.array(targets_of(test, label2id, True)), labels,
                    thresholds)
    print(f"test (thresholds tuned on validation; best validation micro-F1 {best:.4f}):\n"
          f"{scores.table()}", flush=True)
    return {"validation_micro_f1": best, "label_thresholds": thresholds,
            "test": scores.as_dict()}
