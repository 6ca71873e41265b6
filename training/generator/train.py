"""`emotion-chat train-generator`: fine-tune a KoGPT2-style causal LM on dialogue pairs.

Why: the generator's local backend prompts a model with the KoGPT2-chatbot format
(`<usr>{s1}<unused1>{emotion}<sys>` and the model answers up to `</s>`, see
emotion_chat/kogpt2.py), but a base checkpoint such as skt/kogpt2-base-v2 has never seen that
format and rambles. This is the recipe of the masking-BERT paper and the music-recommendation
chatbot that teaches it to answer: each `s1, s2, emotion` pair becomes one exchange
`<usr>s1<unused1>emotion<sys>s2</s>` with the reply emotion in the emotion slot (one of the
seven core emotions, as the served prompt carries), and the loss is taken on the reply only
(the prompt up to and including `<sys>` is masked with -100), so the model learns to answer
rather than to repeat the question.

The masking-BERT paper's hyper-parameters are the defaults (batch 96, 2 epochs, lr 5e-5); a batch is
made of micro-batches with gradient accumulation so 96 fits on small devices. A held-out
validation split drives early stopping (the best state is kept), and a few held-out questions
are answered at the end so a person can see what the model learnt. The output directory (model,
tokenizer, training_report.json) is written to a temporary sibling and renamed into place, so
a crashed or interrupted run never leaves a half-written checkpoint for the service to load.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emotion_chat.kogpt2 import (
    EMOTION_TOKEN,
    END_TOKEN,
    SYSTEM_TOKEN,
    USER_TOKEN,
    exchange,
    prompt_end,
)
from emotion_chat.taxonomy import CORE_LABELS, known_core_emotion
from training.staging import staged
from training.tables import rows_of

COLUMNS = ("s1", "s2", "emotion")
IGNORE = -100
"""Label of the tokens the loss skips (the prompt and padding)."""

REPORT = "training_report.json"


@dataclass(frozen=True)
class Pair:
    """One exchange: the user's sentence, the reply, and the reply's core emotion."""

    s1: str
    s2: str
    emotion: str


@dataclass(frozen=True)
class Example:
    """An encoded exchange: labels are -100 on the prompt (up to and including <sys>)."""

    input_ids: list[int]
    labels: list[int]


@dataclass
class GeneratorConfig:
    """The masking-BERT paper's recipe by default (batch 96, 2 epochs, lr 5e-5, max length 128)."""

    batch_size: int = 96
    epochs: int = 2
    learning_rate: float = 5e-5
    micro_batch: int = 8
    """Examples per forward pass; a batch accumulates batch_size // micro_batch of them."""
    max_length: int = 128
    validation_ratio: float = 0.1
    patience: int = 1
    """Epochs without a better validation loss before stopping early."""
    seed: int = 0
    device: str = "auto"
    warmup_ratio: float = 0.1
    """Share of the optimizer steps with a linearly rising learning rate."""
    weight_decay: float = 0.0
    samples: int = 3
    """Held-out questions answered at the end, into the report."""
    sample_max_new_tokens: int = 40
    sample_temperature: float = 0.8
    """Sampling temperature of those answers (the service's default; 0 = greedy)."""
    progress: bool = True

    def __post_init__(self) -> None:
        for name in ("batch_size", "epochs", "micro_batch", "patience", "sample_max_new_tokens"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if not 0 <= self.sample_temperature <= 2:
            raise ValueError(f"sample_temperature must be in [0, 2], not "
                             f"{self.sample_temperature}")
        if self.samples < 0:
            raise ValueError(f"samples must not be negative, not {self.samples}")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"learning rate must be positive, not {self.learning_rate}")
        if self.max_length < 8:
            raise ValueError(f"max_length must be at least 8 tokens, not {self.max_length}")
        if not 0 < self.validation_ratio < 1:
            raise ValueError(f"validation_ratio must be in (0, 1), not {self.validation_ratio}")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), not {self.warmup_ratio}")
        if self.device not in ("auto", "cpu") and not self.device.startswith(("cuda", "mps")):
            raise ValueError(f"device must be auto, cpu or cuda[:N], not {self.device!r}")

    @property
    def accumulation_steps(self) -> int:
        return max(1, self.batch_size // self.micro_batch)


def read_pairs(path: Path) -> list[Pair]:
    """A table (TSV, CSV, XLSX or JSON Lines) with the columns s1, s2 and emotion.

    The emotion is one of the seven core emotions or any label the shared taxonomy maps to one
    (기쁨 → 행복, joy → 행복, ...); pairs carry the core emotion, as the served prompt does.
    Raises ValueError (one line, naming the row) for a missing column, an empty field or an
    unknown emotion.
    """
    rows = rows_of(path)
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}: header {header} lacks the column(s) "
                         f"{', '.join(missing)} (expected s1, s2, emotion)")
    index = {c: header.index(c) for c in COLUMNS}
    pairs: list[Pair] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        values = {c: row[i].strip() if len(row) > i else "" for c, i in index.items()}
        empty = [c for c in COLUMNS if not values[c]]
        if empty:
            raise ValueError(f"{path}: row {number} has an empty {', '.join(empty)}")
        core = known_core_emotion(values["emotion"])
        if core is None:
            raise ValueError(f"{path}: row {number} has the unknown emotion "
                             f"{values['emotion']!r} (expected one of {', '.join(CORE_LABELS)} "
                             f"or a label that maps to one)")
        pairs.append(Pair(values["s1"], values["s2"], core))
    if not pairs:
        raise ValueError(f"{path} has a header but no pairs")
    return pairs


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def encode_example(tokenizer: Any, pair: Pair, max_length: int) -> Example:
    """`exchange(s1, emotion, s2)` as ids, labels masked on the prompt.

    Too long an exchange keeps the end of the prompt (as the served backend does) and at
    least half of the budget for the reply.
    """
    prompt = _ids(tokenizer, prompt_end(pair.s1, pair.emotion))
    full = _ids(tokenizer, exchange(pair.s1, pair.emotion, pair.s2))
    if full[:len(prompt)] == prompt:
        reply = full[len(prompt):]
    else:  # a tokenizer that merges across <sys>: tokenize the reply on its own
        reply = _ids(tokenizer, pair.s2 + END_TOKEN)
    if len(prompt) + len(reply) > max_length:
        reply = reply[:max(max_length - len(prompt), max_length // 2)]
        prompt = prompt[-(max_length - len(reply)):]
    return Example(input_ids=prompt + reply, labels=[IGNORE] * len(prompt) + reply)


def _split(pairs: list[Pair], ratio: float, seed: int) -> tuple[list[Pair], list[Pair]]:
    if len(pairs) < 2:
        raise ValueError(f"need at least 2 pairs (one to train on, one to validate), "
                         f"got {len(pairs)}")
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    n_val = min(max(1, round(len(pairs) * ratio)), len(pairs) - 1)
    held = set(order[:n_val])
    return ([p for i, p in enumerate(pairs) if i not in held],
            [p for i, p in enumerate(pairs) if i in held])


def _device(name: str) -> Any:
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _collate(examples: list[Example], pad_id: int, device: Any) -> dict[str, Any]:
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids)
        labels[row, :n] = torch.tensor(e.labels)
        mask[row, :n] = 1
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device),
            "labels": labels.to(device)}


def _target_tokens(batch: dict[str, Any]) -> int:
    """Tokens the (shifted) causal-LM loss is taken on."""
    return int((batch["labels"][:, 1:] != IGNORE).sum().item())


def _loss_sum(model: Any, batch: dict[str, Any]) -> tuple[Any, int]:
    """Summed reply-token loss of a micro-batch and its token count."""
    n = _target_tokens(batch)
    if n == 0:
        return None, 0
    return model(**batch).loss * n, n


def validation_loss(model: Any, examples: list[Example], pad_id: int, micro_batch: int,
                    device: Any) -> float:
    """Mean loss per reply token."""
    import torch

    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(examples), micro_batch):
            batch = _collate(examples[start:start + micro_batch], pad_id, device)
            loss, n = _loss_sum(model, batch)
            if n:
                total += float(loss.item())
                tokens += n
    return total / max(tokens, 1)


def _special_token_ids(tokenizer: Any, model: Any) -> None:
    """Make the chat format's markers single tokens and give the tokenizer a pad token."""
    markers = (USER_TOKEN, SYSTEM_TOKEN, EMOTION_TOKEN, END_TOKEN)
    split = [t for t in markers if len(_ids(tokenizer, t)) != 1
             or tokenizer.convert_tokens_to_ids(t) == tokenizer.unk_token_id]
    if split:
        tokenizer.add_special_tokens({"additional_special_tokens": split},
                                     replace_additional_special_tokens=False)
    if tokenizer.pad_token is None:
        pad = "<pad>" if tokenizer.convert_tokens_to_ids("<pad>") not in (
            None, tokenizer.unk_token_id) else tokenizer.eos_token or END_TOKEN
        tokenizer.pad_token = pad
    if len(tokenizer) > model.get_input_embeddings().weight.shape[0]:
        model.resize_token_embeddings(len(tokenizer))
    model.config.pad_token_id = tokenizer.pad_token_id


def sample_replies(model: Any, tokenizer: Any, pairs: list[Pair], max_new_tokens: int,
                   device: Any, temperature: float = 0.8, seed: int = 0
                   ) -> list[dict[str, str]]:
    """Replies to `prompt_end(s1, emotion)`, cut at </s>: sampled as the service does
    (temperature, top-p 0.95; reproducible for a seed), or greedy at temperature 0."""
    import torch
    from transformers import set_seed

    end_id = tokenizer.convert_tokens_to_ids(END_TOKEN)
    options: dict[str, Any] = {"do_sample": temperature > 0}
    if temperature > 0:
        options.update(temperature=temperature, top_p=0.95)
    model.eval()
    replies = []
    for number, pair in enumerate(pairs):
        set_seed(seed + number)
        ids = torch.tensor([_ids(tokenizer, prompt_end(pair.s1, pair.emotion))], device=device)
        with torch.no_grad():
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids),
                                 max_new_tokens=max_new_tokens, eos_token_id=end_id,
                                 pad_token_id=tokenizer.pad_token_id, **options)
        new = out[0, ids.shape[1]:].tolist()
        if end_id in new:
            new = new[:new.index(end_id)]
        reply = tokenizer.decode(new, skip_special_tokens=True).strip()
        replies.append({"s1": pair.s1, "emotion": pair.emotion, "expected": pair.s2,
                        "reply": reply})
    return replies


@dataclass
class _History:
    epochs: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_loss: float = math.inf
    stopped_early: bool = False


def _fit(model: Any, train: list[Example], validation: list[Example], pad_id: int,
         config: GeneratorConfig, device: Any) -> _History:
    import torch
    from tqdm.auto import tqdm
    from transformers import get_linear_schedule_with_warmup

    rng = random.Random(config.seed)
    micro = min(config.micro_batch, config.batch_size)
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate,
                                  weight_decay=config.weight_decay)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(total_steps * config.warmup_ratio), total_steps)
    history = _History()
    best_state: dict[str, Any] | None = None
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = list(range(len(train)))
        rng.shuffle(order)
        batches = [order[s:s + config.batch_size] for s in range(0, len(order),
                                                                  config.batch_size)]
        total, tokens = 0.0, 0
        bar = tqdm(batches, desc=f"epoch {epoch}/{config.epochs}", unit="batch",
                   disable=None if config.progress else True, leave=False)
        for indices in bar:
            micro_batches = [_collate([train[i] for i in indices[s:s + micro]], pad_id, device)
                             for s in range(0, len(indices), micro)]
            step_tokens = sum(_target_tokens(b) for b in micro_batches)
            if step_tokens == 0:
                continue
            for batch in micro_batches:  # gradient accumulation, weighted per reply token
                loss, n = _loss_sum(model, batch)
                if n:
                    (loss / step_tokens).backward()
                    total += float(loss.item())
                    tokens += n
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            bar.set_postfix(loss=f"{total / max(tokens, 1):.4f}")
        train_loss = total / max(tokens, 1)
        val_loss = validation_loss(model, validation, pad_id, micro, device)
        history.epochs.append({"epoch": epoch, "loss": train_loss, "validation_loss": val_loss})
        if config.progress:
            print(f"epoch {epoch}: loss {train_loss:.4f}, validation loss {val_loss:.4f} "
                  f"(perplexity {math.exp(min(val_loss, 50)):.1f})", flush=True)
        if val_loss < history.best_loss:
            history.best_loss, history.best_epoch = val_loss, epoch
            best_state = {k: v.detach().to("cpu", copy=True)
                          for k, v in model.state_dict().items()}
        elif epoch - history.best_epoch >= config.patience:
            history.stopped_early = epoch < config.epochs
            if config.progress and history.stopped_early:
                print(f"early stop: no better validation loss for {config.patience} epoch(s) "
                      f"(best {history.best_loss:.4f} at epoch {history.best_epoch})",
                      flush=True)
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _check_out_dir(out_dir: Path) -> None:
    """Refuse to replace anything but an earlier generator checkpoint."""
    if out_dir.is_file():
        raise ValueError(f"{out_dir} is a file; --out must be a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / REPORT).is_file():
        raise ValueError(f"{out_dir} exists and is not a generator checkpoint (no {REPORT}); "
                         f"choose another --out")


def train_generator(pairs: list[Pair], base: str, out_dir: Path,
                    config: GeneratorConfig | None = None) -> dict[str, Any]:
    """Fine-tune `base` (hub id or local dir) on the pairs; write model, tokenizer and
    training_report.json to out_dir (atomically); return the report."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, set_seed
    from transformers import logging as hf_logging

    config = config or GeneratorConfig()
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    train_pairs, held_out = _split(pairs, config.validation_ratio, config.seed)
    set_seed(config.seed)  # python, numpy and torch
    device = _device(config.device)
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot load the base model {base!r}: {first}") from None
    _special_token_ids(tokenizer, model)
    model.to(device)
    positions = (getattr(model.config, "n_positions", None)
                 or getattr(model.config, "max_position_embeddings", None) or config.max_length)
    max_length = min(config.max_length, int(positions))  # never past the position table
    train_examples = [encode_example(tokenizer, p, max_length) for p in train_pairs]
    val_examples = [encode_example(tokenizer, p, max_length) for p in held_out]
    micro = min(config.micro_batch, config.batch_size)
    if config.progress:
        print(f"{len(pairs)} pairs: train {len(train_pairs)}, validation {len(held_out)}; "
              f"batch {config.batch_size} = {config.accumulation_steps} x {micro}, "
              f"lr {config.learning_rate}, on {device}", flush=True)
    initial = validation_loss(model, val_examples, tokenizer.pad_token_id, micro, device)
    history = _fit(model, train_examples, val_examples, tokenizer.pad_token_id, config, device)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # generate()'s notes about generation flags
    try:
        samples = sample_replies(model, tokenizer, held_out[:config.samples],
                                 config.sample_max_new_tokens, device,
                                 config.sample_temperature, config.seed)
    finally:
        hf_logging.set_verbosity(verbosity)
    report: dict[str, Any] = {
        "base": base, "pairs": len(pairs),
        "split": {"train": len(train_pairs), "validation": len(held_out)},
        "emotions": dict(Counter(p.emotion for p in pairs)),
        "config": asdict(config),
        "initial_validation_loss": initial,
        "history": history.epochs,
        "best_epoch": history.best_epoch,
        "validation_loss": history.best_loss,
        "validation_perplexity": math.exp(min(history.best_loss, 50)),
        "stopped_early": history.stopped_early,
        "samples": samples,
        "format": exchange("{s1}", "{emotion}", "{s2}"),
    }
    with staged(out_dir) as tmp:
        model.to(_device("cpu"))
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / REPORT).write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                  encoding="utf-8")
    if config.progress:
        print(f"validation loss {initial:.4f} before, {history.best_loss:.4f} after "
              f"(best epoch {history.best_epoch})", flush=True)
        for s in samples:
            print(f"  [{s['emotion']}] {s['s1']} → {s['reply'] or '(empty)'}", flush=True)
        print(f"saved to {out_dir}; serve with: GENERATOR_BACKEND=local "
              f"GENERATOR_LOCAL_MODEL={out_dir}", flush=True)
    return report


def config_from_args(args: argparse.Namespace) -> GeneratorConfig:
    """The CLI's options over the defaults (an option left at None keeps its default)."""
    names = {"epochs": "epochs", "batch_size": "batch_size", "micro_batch": "micro_batch",
             "lr": "learning_rate", "max_length": "max_length", "patience": "patience",
             "seed": "seed", "device": "device"}
    given = {field_name: getattr(args, arg) for arg, field_name in names.items()
             if getattr(args, arg, None) is not None}
    return GeneratorConfig(**given)


def main(args: argparse.Namespace) -> int:
    """`emotion-chat train-generator PAIRS --base ... --out DIR`: 0, or 2 on bad input."""
    try:
        config = config_from_args(args)
        pairs = read_pairs(Path(args.pairs))
        base = getattr(args, "base", None) or "skt/kogpt2-base-v2"
        train_generator(pairs, base, Path(args.out), config)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover - the CLI is emotion-chat train-generator
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pairs")
    parser.add_argument("--base", default="skt/kogpt2-base-v2")
    parser.add_argument("--out", required=True)
    for flag, kind in (("--epochs", int), ("--batch-size", int), ("--micro-batch", int),
                       ("--lr", float), ("--max-length", int), ("--patience", int),
                       ("--seed", int)):
        parser.add_argument(flag, type=kind)
    parser.add_argument("--device")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main(parser.parse_args()))
