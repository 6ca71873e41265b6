"""The demo model's recipe: a tiny BERT distilled from a character n-gram teacher.

With ~1,000 labelled sentences a BERT trained from scratch memorises its training set; a
TF-IDF logistic regression over character 1-4-grams generalises better on so little text. So
the teacher (trained on the training split only) labels a larger transfer set with soft
targets (the training sentences, one augmented copy of each with words and characters
dropped, redrawn every epoch, and the unlabelled persona reply banks), and the student BERT
learns those. An exponential moving average of the weights is scored on the validation split
after each epoch; the best one is kept. Deterministic for a given thread count.
"""

from __future__ import annotations

import copy
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerBase

from training.tables import LabelledData


@dataclass(frozen=True)
class Recipe:
    vocab_size: int = 3000
    teacher_ngram: int = 4
    teacher_l2: float = 1e-4
    teacher_iters: int = 300
    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 256
    max_position_embeddings: int = 128
    dropout: float = 0.1
    epochs: int = 20
    learning_rate: float = 1e-3
    weight_decay: float = 0.01
    batch_size: int = 32
    warmup_ratio: float = 0.1
    clip: float = 1.0
    bucket: int = 4
    max_length: int = 64
    ema: float = 0.99
    word_drop: float = 0.2
    char_drop: float = 0.1


@dataclass
class Distilled:
    model: BertForSequenceClassification
    best_epoch: int
    validation_accuracy: float
    history: list[dict[str, float]] = field(default_factory=list)


def char_ngrams(text: str, n: int) -> list[str]:
    grams: list[str] = []
    for word in text.split():
        word = f"<{word}>"
        for k in range(1, n + 1):
            grams.extend(word[i:i + k] for i in range(len(word) - k + 1))
    return grams


class NgramTeacher:
    """TF-IDF character n-gram logistic regression (L2, L-BFGS): multinomial over class ids,
    or one sigmoid per label over multi-hot rows (multi-label)."""

    def __init__(self, texts: Sequence[str], labels: Sequence[Any], num_labels: int,
                 recipe: Recipe, multi_label: bool = False) -> None:
        self.multi_label = multi_label
        self.n = recipe.teacher_ngram
        document_freq: Counter[str] = Counter()
        self.vocab: dict[str, int] = {}
        for text in texts:
            grams = set(char_ngrams(text, self.n))
            document_freq.update(grams)
            for gram in sorted(grams):
                self.vocab.setdefault(gram, len(self.vocab))
        self.idf = [math.log(len(texts) / document_freq[g]) + 1 for g in self.vocab]
        features = self.features(texts)
        target = torch.tensor(list(labels), dtype=torch.float32 if multi_label else torch.long)
        loss_of = F.binary_cross_entropy_with_logits if multi_label else F.cross_entropy
        weights = torch.zeros(len(self.vocab), num_labels, requires_grad=True)
        bias = torch.zeros(num_labels, requires_grad=True)
        optimizer = torch.optim.LBFGS([weights, bias], max_iter=recipe.teacher_iters,
                                      history_size=20, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = (loss_of(torch.sparse.mm(features, weights) + bias, target)
                    + recipe.teacher_l2 * (weights ** 2).sum())
            loss.backward()
            return loss

        optimizer.step(closure)
        self.weights, self.bias = weights.detach(), bias.detach()

    def features(self, texts: Sequence[str]) -> torch.Tensor:
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for i, text in enumerate(texts):
            counts = sorted(Counter(g for g in char_ngrams(text, self.n) if g in self.vocab)
                            .items())
            weighted = [math.log1p(c) * self.idf[self.vocab[g]] for g, c in counts]
            norm = math.sqrt(sum(x * x for x in weighted)) or 1.0
            rows += [i] * len(counts)
            cols += [self.vocab[g] for g, _ in counts]
            values += [x / norm for x in weighted]
        return torch.sparse_coo_tensor(torch.tensor([rows, cols], dtype=torch.long),
                                       torch.tensor(values, dtype=torch.float32),
                                       (len(texts), len(self.vocab)),
                                       check_invariants=False).coalesce()

    @torch.no_grad()
    def probabilities(self, texts: Sequence[str]) -> torch.Tensor:
        logits = torch.sparse.mm(self.features(texts), self.weights) + self.bias
        return torch.sigmoid(logits) if self.multi_label else F.softmax(logits, -1)


def bank_texts(bank_dir: Path) -> list[str]:
    """Unlabelled Korean replies of the persona banks (more text for the student), their
    slots filled with plain words."""
    from emotion_chat.replies.bank import Entry, ReplyBank

    texts: list[str] = []
    for path in sorted(bank_dir.glob("*.json")):
        bank = ReplyBank.from_file(path)
        texts.extend(Entry.fill(entry, {"who": "친구", "what": "일"}) for entry in bank.entries)
    return texts


def augment(text: str, rng: random.Random, word_drop: float, char_drop: float) -> str:
    words = text.split()
    if len(words) > 1:
        words = [w for w in words if rng.random() >= word_drop] or [rng.choice(words)]
    kept = []
    for word in words:
        if len(word) > 1:
            word = "".join(ch for ch in word if rng.random() >= char_drop) or word
        kept.append(word)
    return " ".join(kept)


def _pad(sequences: Sequence[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.full((len(sequences), max(map(len, sequences))), pad_id, dtype=torch.long)
    for i, seq in enumerate(sequences):
        ids[i, :len(seq)] = torch.tensor(seq)
    return ids, (ids != pad_id).long()


def _bucketed(lengths: Sequence[int], batch_size: int, bucket: int, rng: random.Random
              ) -> list[list[int]]:
    """Batches of similar length: shuffle, sort chunks of `bucket` batches, shuffle batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    for start in range(0, len(order), bucket * batch_size):
        chunk = sorted(order[start:start + bucket * batch_size], key=lambda i: lengths[i])
        batches.extend(chunk[s:s + batch_size] for s in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


@torch.no_grad()
def logits_of(model: BertForSequenceClassification, sequences: Sequence[list[int]],
              pad_id: int, batch_size: int = 128) -> torch.Tensor:
    model.eval()
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    out = torch.empty(len(sequences), model.config.num_labels)
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        ids, mask = _pad([sequences[i] for i in index], pad_id)
        out[index] = model(input_ids=ids, attention_mask=mask).logits
    return out


def distill(train: LabelledData, validation: LabelledData, labels: Sequence[str],
            tokenizer: PreTrainedTokenizerBase, unlabelled: Sequence[str], recipe: Recipe,
            seed: int = 0, progress: Callable[[str], None] | None = print,
            multi_label: bool = False) -> Distilled:
    """The student learns the teacher's soft targets: a softmax over the labels, or one
    sigmoid per label when multi-label (labels joined by `|`; the validation score is then
    micro-F1 at 0.5 instead of accuracy)."""
    from training.classifier.multilabel import micro_f1
    from training.classifier.trainer import targets_of

    label2id = {label: i for i, label in enumerate(labels)}
    train_y = targets_of(train, label2id, multi_label)
    validation_y = torch.tensor(targets_of(validation, label2id, multi_label))

    def encode(texts: Sequence[str]) -> list[list[int]]:
        ids: list[list[int]] = tokenizer(list(texts), truncation=True,
                                         max_length=recipe.max_length)["input_ids"]
        return ids

    teacher = NgramTeacher(train.texts, train_y, len(labels), recipe, multi_label)
    fixed_ids = encode(train.texts) + encode(unlabelled)
    if multi_label:
        # independent sigmoids from a weak teacher are blurry (0.3-0.6): the labelled
        # sentences keep their own labels; the teacher speaks only for unlabelled text
        fixed_targets = torch.cat([torch.tensor(train_y, dtype=torch.float32),
                                   teacher.probabilities(unlabelled)])
    else:
        fixed_targets = teacher.probabilities([*train.texts, *unlabelled])
    validation_ids = encode(validation.texts)
    pad_id = int(tokenizer.pad_token_id)
    config = BertConfig(
        vocab_size=len(tokenizer), pad_token_id=pad_id, id2label=dict(enumerate(labels)),
        label2id=label2id, problem_type="multi_label_classification" if multi_label
        else "single_label_classification",
        hidden_size=recipe.hidden_size, num_hidden_layers=recipe.num_hidden_layers,
        num_attention_heads=recipe.num_attention_heads,
        intermediate_size=recipe.intermediate_size,
        max_position_embeddings=recipe.max_position_embeddings,
        hidden_dropout_prob=recipe.dropout, attention_probs_dropout_prob=recipe.dropout)
    model = BertForSequenceClassification(config)
    rng = random.Random(seed)
    per_epoch = len(fixed_ids) + len(train)
    total = math.ceil(per_epoch / recipe.batch_size) * recipe.epochs
    warmup = int(total * recipe.warmup_ratio)
    no_decay = ("bias", "LayerNorm.weight")
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
         "weight_decay": recipe.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)],
         "weight_decay": 0.0}], lr=recipe.learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / max(1, warmup) if s < warmup
        else max(0.0, 1 - (s - warmup) / max(1, total - warmup)))
    average = {k: v.detach().clone() for k, v in model.state_dict().items()}
    result = Distilled(model, 0, -1.0)
    best_state: dict[str, Any] | None = None
    for epoch in range(1, recipe.epochs + 1):
        model.train()
        augmented = [augment(t, rng, recipe.word_drop, recipe.char_drop) for t in train.texts]
        ids = fixed_ids + encode(augmented)
        targets = torch.cat([fixed_targets, torch.tensor(train_y, dtype=torch.float32)
                             if multi_label else teacher.probabilities(augmented)])
        losses = []
        for batch in _bucketed([len(x) for x in ids], recipe.batch_size, recipe.bucket, rng):
            input_ids, mask = _pad([ids[i] for i in batch], pad_id)
            logits = model(input_ids=input_ids, attention_mask=mask).logits
            if multi_label:
                loss = F.binary_cross_entropy_with_logits(logits, targets[batch])
            else:
                loss = -(targets[batch] * F.log_softmax(logits, -1)).sum(-1).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.clip)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            losses.append(loss.item())
            with torch.no_grad():
                for key, value in model.state_dict().items():
                    if value.dtype.is_floating_point:
                        average[key].mul_(recipe.ema).add_(value, alpha=1 - recipe.ema)
        live = copy.deepcopy(model.state_dict())
        model.load_state_dict(average)
        validation_logits = logits_of(model, validation_ids, pad_id)
        if multi_label:
            accuracy = micro_f1(torch.sigmoid(validation_logits).numpy(), validation_y.numpy())
        else:
            accuracy = float((validation_logits.argmax(-1) == validation_y).float().mean())
        if accuracy > result.validation_accuracy:
            result.validation_accuracy, result.best_epoch = accuracy, epoch
            best_state = copy.deepcopy(average)
        model.load_state_dict(live)
        result.history.append({"epoch": epoch, "loss": float(np.mean(losses)),
                               "val_accuracy": accuracy})
        if progress is not None:
            progress(f"epoch {epoch}: loss {np.mean(losses):.4f}, validation "
                     f"{'micro-F1' if multi_label else 'accuracy'} {accuracy:.4f}")
    assert best_state is not None
    model.load_state_dict(best_state)
    model.eval()
    return result
