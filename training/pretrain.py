"""`emotion-chat pretrain BASE --corpus FILE --masking emotion|random --out DIR`: the
masking-BERT paper's continued pre-training.

Continued masked-LM pre-training of a BERT checkpoint before `emotion-chat train` fine-tunes
it. The masking-BERT paper masked sentiment/emotion words instead of random tokens and
reports 7-emotion accuracy rising from 78.4 % to 90.1 %; `--masking random` is the control
with the same budget (training.masking). The emotion words come from a lexicon file, or are
mined from a labelled table (the training data of the classifier to come).

The output dir is a Hugging Face masked-LM checkpoint with its tokenizer and
`pretraining_report.json`; `AutoModelForSequenceClassification.from_pretrained` loads it (the
classification head is new), so `emotion-chat train --base DIR` fine-tunes it as any base.

`compare()` reruns the paper's comparison at small scale on this project's own data.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from training.masking import (
    MASK_RATE,
    MASKINGS,
    emotion_spans,
    emotion_token_flags,
    mask_sentence,
    mine_emotion_words,
    read_lexicon,
)
from training.staging import staged
from training.tables import read_table, rows_of

__all__ = ["MASKINGS", "add_arguments", "compare", "format_comparison", "main",
           "mine_emotion_words", "pretrain", "read_corpus", "read_lexicon"]

TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".xlsx", ".xlsm", ".jsonl", ".ndjson"})
REPORT_NAME = "pretraining_report.json"


def read_corpus(path: Path, text_column: str = "sentence") -> list[str]:
    """Sentences for pre-training: a table's `text_column` (CSV/TSV/XLSX/JSONL, by suffix) or
    a text file with one sentence per line. Blank lines and repeated sentences are dropped
    (as the BERT & GPT pipeline paper's recipe drops duplicates), order kept."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.suffix.lower() in TABLE_SUFFIXES:
        rows = rows_of(path)
        if not rows:
            raise ValueError(f"{path} is empty")
        header = [h.strip() for h in rows[0]]
        if text_column not in header:
            raise ValueError(f"{path}: header {header} lacks the column {text_column!r} "
                             f"(choose it with --text-column)")
        index = header.index(text_column)
        lines = [row[index] if len(row) > index else "" for row in rows[1:]]
    else:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    sentences = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    if not sentences:
        raise ValueError(f"{path}: no sentences")
    return sentences


def _encode_corpus(tokenizer: Any, corpus: list[str], words: list[str], max_length: int
                   ) -> list[tuple[list[int], list[bool], list[bool]]]:
    """Per sentence: token ids, which tokens may be masked (not special), which belong to an
    emotion word. Done once; the masks themselves are drawn afresh every epoch."""
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("the base's tokenizer has no fast (Rust) version; emotion masking "
                         "needs its character offsets")
    lexicon = frozenset(words)
    encoded = tokenizer(corpus, truncation=True, max_length=max_length,
                        return_offsets_mapping=True, return_special_tokens_mask=True)
    sentences = []
    for text, ids, offsets, special in zip(corpus, encoded["input_ids"],
                                           encoded["offset_mapping"],
                                           encoded["special_tokens_mask"], strict=True):
        flags = (emotion_token_flags(offsets, emotion_spans(text, lexicon)) if lexicon
                 else [False] * len(ids))
        sentences.append((list(ids), [not s for s in special], flags))
    return sentences


def pretrain(base: str, corpus: list[str], out_dir: Path, masking: str, words: list[str],
             epochs: int = 3, batch_size: int = 32, lr: float = 5e-5, seed: int = 0,
             max_length: int = 128, progress: bool = True, *, device: str = "auto",
             weight_decay: float = 0.01, warmup_ratio: float = 0.1) -> dict[str, Any]:
    """Continue masked-LM pre-training of `base` (a hub id or a local dir) on `corpus`.

    Every epoch the corpus is shuffled and masked anew (dynamic masking, as RoBERTa) from
    two generators seeded with `seed`: one for the order, one for the masks, so that an
    `emotion` and a `random` run with the same seed see the same batches in the same order
    and take the same optimiser steps. AdamW with linear warm-up/decay, gradients clipped at
    1. The checkpoint is written to a temporary sibling of `out_dir` and renamed into place
    when complete, so `out_dir` never holds half a model. Returns the report it saves.
    """
    import numpy as np
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModelForMaskedLM, AutoTokenizer, get_linear_schedule_with_warmup

    if masking not in MASKINGS:
        raise ValueError(f"unknown masking {masking!r} (choose from {', '.join(MASKINGS)})")
    if masking == "emotion" and not words:
        raise ValueError("emotion masking needs emotion words (a lexicon or a labelled table)")
    if not corpus:
        raise ValueError("the corpus is empty")
    if epochs < 1 or batch_size < 1:
        raise ValueError("epochs and batch size must be positive")
    started = time.monotonic()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch_device = torch.device(("cuda" if torch.cuda.is_available() else "cpu")
                                if device == "auto" else device)
    tokenizer = AutoTokenizer.from_pretrained(base)
    if tokenizer.mask_token_id is None or tokenizer.pad_token_id is None:
        raise ValueError(f"{base}: the tokenizer has no [MASK] or [PAD] token")
    model = AutoModelForMaskedLM.from_pretrained(base).to(torch_device)
    # Emotion tokens are flagged for both maskings: `random` ignores the flags but reports
    # how many it masks by chance, the number `emotion` masking is to be compared with.
    sentences = _encode_corpus(tokenizer, corpus, words, max_length)
    special_ids = set(tokenizer.all_special_ids)
    replacements = [i for i in range(len(tokenizer)) if i not in special_ids]
    order_rng, mask_rng = random.Random(seed), random.Random(seed + 1)
    steps_per_epoch = math.ceil(len(sentences) / batch_size)
    total_steps = steps_per_epoch * epochs
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
         "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)],
         "weight_decay": 0.0}], lr=lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * warmup_ratio),
                                                total_steps)
    losses_per_epoch: list[float] = []
    masked_total = masked_emotion = 0
    tokens_total = sum(sum(maskable) for _, maskable, _ in sentences)
    emotion_tokens = sum(sum(f and m for f, m in zip(flags, maskable, strict=True))
                         for _, maskable, flags in sentences)
    pad = tokenizer.pad_token_id
    model.train()
    for epoch in range(1, epochs + 1):
        order = list(range(len(sentences)))
        order_rng.shuffle(order)
        losses = []
        bar = tqdm(range(0, len(order), batch_size), desc=f"pretrain {epoch}/{epochs}",
                   unit="batch", disable=None if progress else True, leave=False)
        for start in bar:
            batch = [sentences[i] for i in order[start:start + batch_size]]
            width = max(len(ids) for ids, _, _ in batch)
            input_ids, labels, attention = [], [], []
            for ids, maskable, flags in batch:
                masked, target, hits = mask_sentence(ids, maskable, flags, masking, mask_rng,
                                                     tokenizer.mask_token_id, replacements)
                masked_total += sum(t != -100 for t in target)
                masked_emotion += hits
                gap = width - len(ids)
                input_ids.append(masked + [pad] * gap)
                labels.append(target + [-100] * gap)
                attention.append([1] * len(ids) + [0] * gap)
            out = model(input_ids=torch.tensor(input_ids, device=torch_device),
                        attention_mask=torch.tensor(attention, device=torch_device),
                        labels=torch.tensor(labels, device=torch_device))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(out.loss.item())
            bar.set_postfix(loss=f"{np.mean(losses):.4f}")
        losses_per_epoch.append(round(float(np.mean(losses)), 4))
        if progress:
            print(f"pretrain epoch {epoch}: masked-LM loss {losses_per_epoch[-1]:.4f}",
                  flush=True)
    report: dict[str, Any] = {
        "base": base, "masking": masking, "words": len(words),
        "sentences": len(sentences), "tokens": tokens_total,
        "emotion_token_share": round(emotion_tokens / max(tokens_total, 1), 4),
        "mask_rate": MASK_RATE, "epochs": epochs, "batch_size": batch_size, "lr": lr,
        "seed": seed, "max_length": max_length, "steps": total_steps,
        "masked_tokens": masked_total,
        "masked_emotion_share": round(masked_emotion / max(masked_total, 1), 4),
        "loss_per_epoch": losses_per_epoch,
        "seconds": round(time.monotonic() - started, 1),
    }
    with staged(Path(out_dir)) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / REPORT_NAME).write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
    if progress:
        print(f"saved to {out_dir}; fine-tune with: emotion-chat train --base {out_dir} "
              f"--data TABLE --out DIR", flush=True)
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `pretrain` command's arguments (the fields `main` reads)."""
    parser.add_argument("base", help="hub id (klue/bert-base) or local checkpoint dir")
    parser.add_argument("--corpus", type=Path, required=True,
                        help="text file (one sentence per line) or table")
    parser.add_argument("--text-column", default="sentence",
                        help="text column of a table corpus and of --labelled")
    parser.add_argument("--masking", choices=MASKINGS, default="emotion")
    parser.add_argument("--lexicon", type=Path, help="emotion words, one per line")
    parser.add_argument("--labelled", type=Path,
                        help="labelled table (sentence, label) to mine emotion words from")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=0)


def main(args: argparse.Namespace) -> int:
    """Run `pretrain` from parsed arguments: 0 when saved, 2 with one error line on stderr
    for what the user can fix (missing file, no emotion words, a base that will not load)."""
    try:
        corpus = read_corpus(Path(args.corpus), args.text_column)
        words: list[str] = []
        if args.masking == "emotion":
            if args.lexicon is None and args.labelled is None:
                raise ValueError("--masking emotion needs --lexicon FILE or --labelled TABLE")
            if args.lexicon is not None:
                if not Path(args.lexicon).is_file():
                    raise ValueError(f"{args.lexicon}: no such file")
                words.extend(read_lexicon(Path(args.lexicon)))
            if args.labelled is not None:
                data, _ = read_table(Path(args.labelled), args.text_column)
                words.extend(mine_emotion_words(data))
            words = list(dict.fromkeys(words))
            if not words:
                raise ValueError("no emotion words (the lexicon is empty and mining found "
                                 "none)")
            print(f"{len(words)} emotion words: {' '.join(words[:20])}"
                  f"{' ...' if len(words) > 20 else ''}", flush=True)
        print(f"{args.corpus}: {len(corpus)} sentences; {args.masking} masking", flush=True)
        pretrain(args.base, corpus, Path(args.out), args.masking, words, epochs=args.epochs,
                 batch_size=args.batch_size, lr=args.lr, seed=args.seed)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    return 0


def comparison_corpus(held_out: set[str]) -> tuple[list[str], dict[str, int]]:
    """The comparison's pre-training corpus: the demo tables' sentences minus `held_out`
    (the test split: no transductive peek at it) plus the reply banks' texts with their
    {who}/{what} slots removed. Also the count from each source."""
    from emotion_chat.personas import BANK_DIR
    from emotion_chat.replies.bank import SLOT
    from training.demo import DATASETS
    from training.tables import read_tables

    tables = [t for t in read_tables(DATASETS).texts if t not in held_out]
    bank = []
    for path in sorted(BANK_DIR.glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8"))["replies"]:
            text = " ".join(SLOT.sub("", entry["text"]).split())
            if text:
                bank.append(text)
    corpus = list(dict.fromkeys(tables + bank))
    return corpus, {"demo_sentences": len(tables), "bank_replies": len(bank),
                    "sentences": len(corpus)}


def _mean_std(values: list[float]) -> dict[str, Any]:
    return {"accuracies": [round(v, 4) for v in values],
            "mean": round(statistics.fmean(values), 4),
            "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0}


def compare(runs: int = 3, *, pretrain_epochs: int = 10, finetune_epochs: int = 30,
            patience: int = 5, batch_size: int = 32, pretrain_lr: float = 1e-3,
            finetune_lr: float = 5e-4, max_length: int = 64, vocab_size: int = 3000,
            hidden_size: int = 128, num_hidden_layers: int = 2, num_attention_heads: int = 4,
            intermediate_size: int = 256, top_per_label: int = 60, baseline: bool = True,
            first_seed: int = 0, work_dir: Path | None = None, progress: bool = False
            ) -> dict[str, Any]:
    """The masking-BERT paper at small scale: does emotion masking beat random masking, same budget?

    For each seed: the 7-emotion demo tables are split 6:2:2 with that seed; emotion words
    are mined from the training split only; a WordPiece tokenizer is trained on the
    pre-training corpus (comparison_corpus: demo sentences except the test split, plus the
    reply banks) and a tiny BERT is initialised with the seed. Copies of it are pre-trained
    with `random` and with `emotion` masking (identical batches and steps), then each is
    fine-tuned on the training split with training.classifier.trainer.fine_tune (best
    validation epoch kept) and scored on the test split. With `baseline`, the tiny model is
    also fine-tuned without pre-training. The tiny model starts from random weights, so here
    "continued" pre-training is pre-training from scratch on a small corpus.
    """
    import torch
    import transformers
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        BertConfig,
        BertForMaskedLM,
    )

    from training.classifier.tokenizer import train_wordpiece
    from training.classifier.trainer import TrainConfig, accuracy, fine_tune, seed_everything
    from training.demo import DATASETS
    from training.tables import read_tables, split

    transformers.logging.set_verbosity_error()
    started = time.monotonic()
    data = read_tables(DATASETS)
    labels = data.label_set
    label2id = {label: i for i, label in enumerate(labels)}
    architecture = {"hidden_size": hidden_size, "num_hidden_layers": num_hidden_layers,
                    "num_attention_heads": num_attention_heads,
                    "intermediate_size": intermediate_size,
                    "max_position_embeddings": max(max_length, 64)}
    variants = (["baseline"] if baseline else []) + ["random", "emotion"]
    per_run: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=work_dir) as scratch:
        for run in range(runs):
            seed = first_seed + run
            run_started = time.monotonic()
            train, validation, test = split(data, seed=seed)
            corpus, sources = comparison_corpus(set(test.texts))
            words = mine_emotion_words(train, top_per_label=top_per_label)
            tokenizer = train_wordpiece(corpus, vocab_size=vocab_size)
            torch.manual_seed(seed)
            config = BertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                                **architecture)
            base = Path(scratch) / f"base-{seed}"
            initial = BertForMaskedLM(config)
            params = sum(p.numel() for p in initial.bert.parameters())
            initial.save_pretrained(base)
            tokenizer.save_pretrained(base)
            row: dict[str, Any] = {"seed": seed, "words": len(words), "corpus": sources,
                                   "split": {"train": len(train), "validation": len(validation),
                                             "test": len(test)}}
            for variant in variants:
                checkpoint = base
                if variant != "baseline":
                    checkpoint = Path(scratch) / f"{variant}-{seed}"
                    report = pretrain(str(base), corpus, checkpoint, variant, words,
                                      epochs=pretrain_epochs, batch_size=batch_size,
                                      lr=pretrain_lr, seed=seed, max_length=max_length,
                                      progress=progress, device="cpu")
                    row[f"{variant}_pretraining"] = {
                        k: report[k] for k in ("steps", "loss_per_epoch",
                                               "emotion_token_share", "masked_emotion_share",
                                               "seconds")}
                seed_everything(seed)  # the same classification head for every variant
                model = AutoModelForSequenceClassification.from_pretrained(
                    checkpoint, num_labels=len(labels), id2label=dict(enumerate(labels)),
                    label2id=label2id, problem_type="single_label_classification")
                tok = AutoTokenizer.from_pretrained(checkpoint)
                config_ft = TrainConfig(max_length=max_length, learning_rate=finetune_lr,
                                        batch_size=batch_size, max_epochs=finetune_epochs,
                                        patience=patience, seed=seed, device="cpu",
                                        progress=False)
                result = fine_tune(model, tok, train, validation, label2id, config_ft)
                row[variant] = accuracy(model, tok, test, label2id, config_ft)
                row[f"{variant}_best_epoch"] = result.best_epoch
                if progress:
                    print(f"seed {seed} {variant}: test accuracy {row[variant]:.4f} (best "
                          f"validation {result.best_val_accuracy:.4f} at epoch "
                          f"{result.best_epoch})", flush=True)
            row["seconds"] = round(time.monotonic() - run_started, 1)
            per_run.append(row)
    return {
        "runs": per_run,
        "summary": {v: _mean_std([r[v] for r in per_run]) for v in variants},
        "budget": {"pretrain_epochs": pretrain_epochs,
                   "pretrain_steps": per_run[0]["random_pretraining"]["steps"] if per_run
                   else 0,
                   "mask_rate": MASK_RATE, "batch_size": batch_size, "pretrain_lr": pretrain_lr,
                   "finetune_lr": finetune_lr, "finetune_max_epochs": finetune_epochs,
                   "patience": patience, "max_length": max_length},
        "model": {**architecture, "vocab_size": vocab_size,
                  "parameters": params if per_run else 0},
        "seconds": round(time.monotonic() - started, 1),
    }


def format_comparison(result: dict[str, Any]) -> str:
    """The comparison as a small text table: per-run test accuracies, mean ± std."""
    lines = [f"{'masking':<10} {'per-run test accuracy':<32} mean ± std"]
    for variant, summary in result["summary"].items():
        runs = " ".join(f"{a:.4f}" for a in summary["accuracies"])
        lines.append(f"{variant:<10} {runs:<32} {summary['mean']:.4f} ± {summary['std']:.4f}")
    return "\n".join(lines)


def _cli(argv: Sequence[str] | None = None) -> int:
    """`python -m training.pretrain BASE --corpus ...`, or `... compare [--runs N]`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["compare"]:
        parser = argparse.ArgumentParser(prog="python -m training.pretrain compare")
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--pretrain-epochs", type=int, default=10)
        parser.add_argument("--json", type=Path, help="write the full result here")
        options = parser.parse_args(argv[1:])
        result = compare(options.runs, pretrain_epochs=options.pretrain_epochs, progress=True)
        print(format_comparison(result))
        print(json.dumps({k: result[k] for k in ("budget", "model", "seconds")},
                         ensure_ascii=False))
        if options.json:
            options.json.write_text(json.dumps(result, ensure_ascii=False, indent=2),
                                    encoding="utf-8")
        return 0
    parser = argparse.ArgumentParser(prog="python -m training.pretrain")
    add_arguments(parser)
    return main(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(_cli())
