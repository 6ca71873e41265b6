"""Fine-tuning loop for BERT-family sequence classifiers (the BERT & GPT pipeline paper's
recipe by default).

AdamW with linear warm-up/decay, max length 128, batch 64, lr 2e-5; after each epoch the
model is scored on the validation split and the best state (by validation accuracy) is kept;
training stops after `patience` epochs without improvement.
"""

from __future__ import annotations

import copy
import logging
import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerBase, get_linear_schedule_with_warmup

from training.tables import SEPARATOR, LabelledData

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    max_length: int = 128
    learning_rate: float = 2e-5
    batch_size: int = 64
    max_epochs: int = 10
    patience: int = 2
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 0
    device: str = "auto"
    progress: bool = True


@dataclass
class TrainResult:
    best_epoch: int
    best_val_accuracy: float
    history: list[dict[str, float]] = field(default_factory=list)


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def targets_of(data: LabelledData, label2id: dict[str, int], multi_label: bool
               ) -> list[Any]:
    """Class ids, or multi-hot rows for a multi-label table (labels joined by `|`)."""
    if not multi_label:
        return [label2id[label] for label in data.labels]
    rows = []
    for labels in data.labels:
        row = [0.0] * len(label2id)
        for label in labels.split(SEPARATOR):
            row[label2id[label]] = 1.0
        rows.append(row)
    return rows


def _batches(data: LabelledData, targets: list[Any], size: int, shuffle: bool,
             rng: random.Random) -> list[tuple[list[str], list[Any]]]:
    order = list(range(len(data)))
    if shuffle:
        rng.shuffle(order)
    return [([data.texts[i] for i in order[s:s + size]], [targets[i] for i in order[s:s + size]])
            for s in range(0, len(order), size)]


def _encode(tokenizer: PreTrainedTokenizerBase, texts: list[str], max_length: int,
            device: torch.device) -> dict[str, Any]:
    encoded = tokenizer(texts, padding=True, truncation=True, max_length=max_length,
                        return_tensors="pt")
    return {k: v.to(device) for k, v in encoded.items()}


@torch.no_grad()
def predict(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, texts: list[str],
            config: TrainConfig) -> list[int]:
    device = _device(config.device)
    model.to(device)  # type: ignore[arg-type]
    model.eval()
    predictions: list[int] = []
    for start in range(0, len(texts), config.batch_size):
        inputs = _encode(tokenizer, texts[start:start + config.batch_size], config.max_length,
                         device)
        predictions.extend(model(**inputs).logits.argmax(-1).tolist())
    return predictions


def accuracy(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, data: LabelledData,
             label2id: dict[str, int], config: TrainConfig) -> float:
    predicted = predict(model, tokenizer, data.texts, config)
    truth = [label2id[label] for label in data.labels]
    return sum(p == t for p, t in zip(predicted, truth, strict=True)) / max(len(truth), 1)


def validation_score(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                     data: LabelledData, label2id: dict[str, int], config: TrainConfig,
                     multi_label: bool) -> float:
    """Accuracy, or micro-F1 at 0.5 for a multi-label model (what early stopping watches)."""
    if not multi_label:
        return accuracy(model, tokenizer, data, label2id, config)
    from training.classifier.multilabel import micro_f1

    probabilities = 1 / (1 + np.exp(-logits_of(model, tokenizer, data.texts, config)))
    return micro_f1(probabilities, np.array(targets_of(data, label2id, True)))


def fine_tune(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, train: LabelledData,
              validation: LabelledData, label2id: dict[str, int], config: TrainConfig,
              multi_label: bool = False) -> TrainResult:
    """Fine-tune, keeping the best epoch by validation accuracy (micro-F1 when multi-label:
    the model's config must say problem_type multi_label_classification, so the loss is
    binary cross-entropy over sigmoids)."""
    seed_everything(config.seed)
    device = _device(config.device)
    model.to(device)  # type: ignore[arg-type]
    rng = random.Random(config.seed)
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    total_steps = steps_per_epoch * config.max_epochs
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
         "weight_decay": config.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)],
         "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(total_steps * config.warmup_ratio), total_steps)
    result = TrainResult(best_epoch=0, best_val_accuracy=-1.0)
    best_state: dict[str, torch.Tensor] | None = None
    train_targets = targets_of(train, label2id, multi_label)
    for epoch in range(1, config.max_epochs + 1):
        model.train()
        batches = _batches(train, train_targets, config.batch_size, shuffle=True, rng=rng)
        losses = []
        bar = tqdm(batches, desc=f"epoch {epoch}/{config.max_epochs}", unit="batch",
                   disable=None if config.progress else True, leave=False)
        for texts, labels in bar:
            inputs = _encode(tokenizer, texts, config.max_length, device)
            out = model(**inputs, labels=torch.tensor(
                labels, device=device, dtype=torch.float32 if multi_label else torch.long))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(out.loss.item())
            bar.set_postfix(loss=f"{np.mean(losses):.4f}")
        val_acc = validation_score(model, tokenizer, validation, label2id, config, multi_label)
        result.history.append({"epoch": epoch, "loss": float(np.mean(losses)),
                               "val_accuracy": val_acc})
        if config.progress:
            print(f"epoch {epoch}: loss {np.mean(losses):.4f}, validation accuracy "
                  f"{val_acc:.4f}", flush=True)
        if val_acc > result.best_val_accuracy:
            result.best_val_accuracy, result.best_epoch = val_acc, epoch
            best_state = copy.deepcopy(model.state_dict())
        elif epoch - result.best_epoch >= config.patience:
            if config.progress:
                print(f"early stop: no better validation accuracy for {config.patience} "
                      f"epochs (best {result.best_val_accuracy:.4f} at epoch "
                      f"{result.best_epoch})", flush=True)
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return result


@torch.no_grad()
def logits_of(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, texts: list[str],
              config: TrainConfig) -> np.ndarray:
    device = _device(config.device)
    model.to(device)  # type: ignore[arg-type]
    model.eval()
    rows = []
    for start in range(0, len(texts), config.batch_size):
        inputs = _encode(tokenizer, texts[start:start + config.batch_size], config.max_length,
                         device)
        rows.append(model(**inputs).logits.float().cpu().numpy())
    return np.concatenate(rows)


def fit_temperature(logits: np.ndarray, labels: list[int]) -> float:
    """Temperature scaling (Guo et al., 2017): the T minimising validation NLL of softmax(z/T).

    Fine-tuned classifiers are over-confident; calibrated scores make the dialogue policy's
    confidence thresholds mean what they say.
    """
    target = np.asarray(labels)

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(len(target)), target].mean())

    grid = np.exp(np.linspace(np.log(0.25), np.log(50.0), 200))
    best = min(grid, key=nll)
    fine = np.linspace(best * 0.9, best * 1.1, 41)
    return float(min(fine, key=nll))
