"""The Inside Out demo model: a multi-label BERT for the Inside Out chatbot's four emotions
(분노, 슬픔, 불안, 기쁨), which can hold at once
("합격했는데 혼자 이사 가려니 무섭기도 해" → 기쁨 and 불안).

    emotion-chat demo-model --inside-out [--out DIR]

The same recipe as the 7-emotion demo model (build.py, distill.py: a tiny BERT distilled
from a character n-gram teacher, here with one sigmoid per label), trained on
`inside_out_ko.tsv`, written for this project; a threshold per label tuned on validation is
stored in config.json, and the classifier serves it as a multi-label model, which the
orchestrator answers with the finite-state-machine chatbot article's 0.8/0.6 thresholds.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import warnings
from dataclasses import asdict, replace
from pathlib import Path

from emotion_chat.paths import data_home
from emotion_chat.taxonomy import INSIDE_OUT_LABELS
from training.demo import HERE
from training.staging import publish

DATASET = HERE / "inside_out_ko.tsv"
MODEL_NAME = "emotion-chat/demo-bert-ko-insideout-4"
VERSION = "1"


def default_dir() -> Path:
    return data_home() / "models" / "demo-bert-ko-insideout-4"


def build(out_dir: Path, *, progress: bool = True, epochs: int | None = None
          ) -> dict[str, object]:
    """Train, tune the thresholds, report per label on the test split and export to ONNX in
    `out_dir` (through a temporary sibling: never half-written)."""
    import numpy as np
    import torch

    from emotion_chat.personas import BANK_DIR
    from training.classifier.export import export
    from training.classifier.multilabel import report, tune_thresholds
    from training.classifier.tokenizer import train_wordpiece
    from training.classifier.trainer import seed_everything, targets_of
    from training.demo.build import BUILD_THREADS
    from training.demo.distill import Recipe, bank_texts, distill, logits_of
    from training.tables import read_multilabel_table, split

    started = time.monotonic()
    torch.set_num_threads(BUILD_THREADS)
    torch.use_deterministic_algorithms(True)
    seed_everything(0)
    recipe = Recipe() if epochs is None else replace(Recipe(), epochs=epochs)
    table, _ = read_multilabel_table(DATASET)
    labels = list(INSIDE_OUT_LABELS)
    unknown = set(table.names) - set(labels)
    if unknown:
        raise ValueError(f"{DATASET}: labels {sorted(unknown)} are not Inside Out's {labels}")
    train, validation, test = split(table.data, seed=0)
    print(f"dataset: {len(table.data)} sentences, labels {labels}; train {len(train)}, "
          f"validation {len(validation)}, test {len(test)}", flush=True)
    tokenizer = train_wordpiece(train.texts, vocab_size=recipe.vocab_size)
    result = distill(train, validation, labels, tokenizer, bank_texts(BANK_DIR), recipe,
                     progress=(lambda m: print(m, flush=True)) if progress else None,
                     multi_label=True)
    model = result.model
    label2id = {label: i for i, label in enumerate(labels)}

    def probabilities(texts: list[str]) -> np.ndarray:
        ids = tokenizer(texts, truncation=True, max_length=recipe.max_length)["input_ids"]
        return torch.sigmoid(logits_of(model, ids, int(tokenizer.pad_token_id))).numpy()

    thresholds = tune_thresholds(probabilities(validation.texts),
                                 np.array(targets_of(validation, label2id, True)), labels)
    scores = report(probabilities(test.texts), np.array(targets_of(test, label2id, True)),
                    labels, thresholds)
    seconds = time.monotonic() - started
    print(f"test (thresholds tuned on validation; validation micro-F1 "
          f"{result.validation_accuracy:.3f} at epoch {result.best_epoch}; trained in "
          f"{seconds:.0f} s):\n{scores.table()}", flush=True)
    staging = out_dir.with_name(out_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = Path(tmp) / "checkpoint"
        model.config.model_version = VERSION
        model.config.label_thresholds = thresholds
        model.config._name_or_path = MODEL_NAME
        model.save_pretrained(checkpoint)
        tokenizer.save_pretrained(checkpoint)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            export(str(checkpoint), staging, model_version=VERSION)
    summary: dict[str, object] = {
        "model": MODEL_NAME, "version": VERSION, "dataset": DATASET.name,
        "recipe": asdict(recipe), "sentences": len(table.data),
        "split": {"train": len(train), "validation": len(validation), "test": len(test)},
        "best_epoch": result.best_epoch, "validation_micro_f1": result.validation_accuracy,
        "label_thresholds": thresholds, "train_seconds": round(seconds, 1),
        "test": scores.as_dict(), "history": result.history,
    }
    (staging / "training_report.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    publish(staging, out_dir)
    print(f"Inside Out demo model ready at {out_dir}; serve it with: emotion-chat serve "
          f"classifier --model {out_dir}")
    return summary
