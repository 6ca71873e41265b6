"""Train the crisis risk scorer (orchestrator/core/safety/scorer.json) on labelled tables.

    emotion-chat train-crisis datasets/crisis/dev*.tsv \
        --everyday training/demo/emotions_ko*.tsv \
        datasets/conversation/consistency.tsv [--classifier HOST:PORT] [--out FILE]

L2-regularised logistic regression over the scorer's features (morphemes, morpheme pairs,
character trigrams, the patterns' verdict), fitted with L-BFGS in torch. Before the final
fit, leave-one-table-out cross-validation (each table was written by someone else) measures
how the score generalises to a new writer, and picks the thresholds: the lowest score for
CRISIS whose cross-validated false-positive rate stays under each operating point's target
(precise 2 %, balanced 5 %, sensitive 10 %), and a lower one for POSSIBLE (confirmed by the
emotion classifier in the chat). The held-out table is never an
input here.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from emotion_chat.language.morphs import analyse
from evaluation.data import TableError, read_tsv
from orchestrator.core.safety import EXCUSED_SCORE
from orchestrator.core.safety.patterns import excused, match
from orchestrator.core.safety.risk import TARGET_FPR, Risk
from orchestrator.core.safety.scorer import WEIGHTS, features

MIN_COUNT = 2
EVERYDAY_FOLDS = 5
L2 = 1e-3
GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99)


@dataclass(frozen=True)
class Example:
    text: str
    risk: bool
    table: str
    features: frozenset[str]
    pattern: Risk
    calm: bool = False
    """The emotion classifier reads the message as clearly calm or happy (vetoes POSSIBLE)."""
    excused: bool = False
    """A pattern read risk and its exception said no: only a near-certain score counts."""
    everyday: bool = False
    """From an everyday table: an ordinary message (sad, angry, busy) that is no risk."""


def _example(text: str, risk: bool, table: str, everyday: bool = False) -> Example:
    analysis = analyse(text)
    matched = match(analysis)
    return Example(text, risk, table, frozenset(features(analysis, matched)), matched.risk,
                   excused=matched.risk is Risk.NONE and bool(excused(analysis)),
                   everyday=everyday)


def load(paths: list[Path]) -> list[Example]:
    examples = []
    for path in paths:
        if "heldout" in path.name:
            raise TableError(f"{path}: the held-out table is for measuring, not training")
        table = read_tsv(path, ("text", "label"))
        for row in table.rows:
            if row["label"] not in ("risk", "none"):
                raise TableError(f"{path}: unknown label {row['label']!r}; use risk or none")
            examples.append(_example(row["text"], row["label"] == "risk", path.name))
    return examples


def load_everyday(paths: list[Path]) -> list[Example]:
    """Ordinary messages (a `text` or `sentence` column; the emotion tables): negatives
    that teach the score that a sad or angry story is not a risk. They are split into
    EVERYDAY_FOLDS tables for cross-validation, and kept out of the threshold choice (whose
    false-positive target is about hard negatives)."""
    examples: list[Example] = []
    for path in paths:
        if "heldout" in path.name:
            raise TableError(f"{path}: the held-out table is for measuring, not training")
        with path.open(encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
        column = "text" if "text" in header else "sentence"
        for row in read_tsv(path, (column,)).rows:
            n = len(examples)
            examples.append(_example(row[column], False, f"everyday#{n % EVERYDAY_FOLDS}",
                                     everyday=True))
    return examples


def fit(examples: list[Example]) -> tuple[float, dict[str, float]]:
    import torch

    counts = Counter(f for e in examples for f in e.features)
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocabulary)}
    x = torch.zeros(len(examples), len(vocabulary))
    for row, example in enumerate(examples):
        for f in example.features:
            if f in index:
                x[row, index[f]] = 1.0
    y = torch.tensor([1.0 if e.risk else 0.0 for e in examples])
    positives = float(y.sum())
    weight = torch.where(y > 0, (len(y) - positives) / max(1.0, positives), 1.0)
    w = torch.zeros(len(vocabulary), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.LBFGS([w, b], max_iter=500, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        logits = x @ w + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, y, weight=weight) + L2 * (w * w).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    weights = {f: round(float(v), 5) for f, v in zip(vocabulary, w.detach(), strict=True)
               if abs(float(v)) >= 1e-3}
    return float(b.detach()), weights


def _probability(bias: float, weights: dict[str, float], example: Example) -> float:
    import math

    z = bias + sum(weights.get(f, 0.0) for f in example.features)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def cross_validate(examples: list[Example]) -> list[tuple[Example, float]]:
    """Each table scored by a model fitted on the others."""
    scored = []
    for table in sorted({e.table for e in examples}):
        train = [e for e in examples if e.table != table]
        bias, weights = fit(train)
        scored += [(e, _probability(bias, weights, e)) for e in examples if e.table == table]
    return scored


def flagged(example: Example, probability: float, crisis: float, possible: float) -> bool:
    """The chat's decision (orchestrator.core.safety.assess and confirmed)."""
    if example.excused:
        crisis, possible = max(crisis, EXCUSED_SCORE), max(possible, EXCUSED_SCORE)
    if example.pattern is Risk.CRISIS or probability >= crisis:
        return True
    return (example.pattern is Risk.POSSIBLE or probability >= possible) and not example.calm


def rates(scored: list[tuple[Example, float]], crisis: float, possible: float
          ) -> tuple[float, float]:
    """(recall, false-positive rate on the hard negatives of the labelled tables)."""
    positives = [flagged(e, p, crisis, possible) for e, p in scored if e.risk]
    negatives = [flagged(e, p, crisis, possible) for e, p in scored
                 if not e.risk and not e.everyday]
    return sum(positives) / max(1, len(positives)), sum(negatives) / max(1, len(negatives))


def everyday_rate(scored: list[tuple[Example, float]], crisis: float, possible: float
                  ) -> float:
    """The false-positive rate on everyday messages."""
    flags = [flagged(e, p, crisis, possible) for e, p in scored if e.everyday]
    return sum(flags) / max(1, len(flags))


def thresholds(scored: list[tuple[Example, float]], target_fpr: float
               ) -> tuple[float, float, float, float]:
    """(crisis, possible, recall, fpr): the pair with the best recall whose cross-validated
    false-positive rate stays within target_fpr."""
    best = (1.0, 1.0, *rates(scored, 1.01, 1.01))
    for crisis in GRID:
        for possible in (g for g in GRID if g <= crisis):
            recall, fpr = rates(scored, crisis, possible)
            if fpr <= target_fpr and recall > best[2]:
                best = (crisis, possible, recall, fpr)
    return best


def with_emotions(examples: list[Example], target: str) -> list[Example]:
    import asyncio
    from dataclasses import replace

    from emotion_chat.taxonomy import core_emotion
    from evaluation.crisis import _emotions
    from orchestrator.core.safety import CALM, CALM_SCORE

    emotions = asyncio.run(_emotions([e.text for e in examples], target))
    return [replace(e, calm=em.known and core_emotion(em.label) in CALM
                    and em.score >= CALM_SCORE) for e, em in zip(examples, emotions, strict=True)]


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    examples = load(args.data)
    print(f"{len(examples)} messages ({sum(e.risk for e in examples)} risk) from "
          f"{len({e.table for e in examples})} tables", flush=True)
    everyday = load_everyday(args.everyday or [])
    if everyday:
        print(f"{len(everyday)} everyday messages (no risk)", flush=True)
        examples += everyday
    if args.classifier:
        examples = with_emotions(examples, args.classifier)
    scored = cross_validate(examples)
    pattern_recall = sum(e.pattern is not Risk.NONE for e in examples if e.risk) / max(
        1, sum(e.risk for e in examples))
    hard = [e for e in examples if not e.risk and not e.everyday]
    pattern_fpr = sum(e.pattern is not Risk.NONE for e in hard) / max(1, len(hard))
    print(f"leave-one-table-out: patterns alone recall {pattern_recall:.3f} / FPR "
          f"{pattern_fpr:.3f}; patterns + score"
          f"{' (POSSIBLE unless calm)' if args.classifier else ''}:", flush=True)
    points = {}
    for sensitivity, target in TARGET_FPR.items():
        crisis, possible, recall, fpr = thresholds(scored, target)
        ordinary = everyday_rate(scored, crisis, possible)
        points[sensitivity.value] = {"crisis": crisis, "possible": possible,
                                     "cv_recall": round(recall, 4), "cv_fpr": round(fpr, 4),
                                     "cv_everyday_fpr": round(ordinary, 4)}
        print(f"  {sensitivity.value:9} (FPR ≤ {target:.2f}): crisis ≥ {crisis}, possible ≥ "
              f"{possible}: recall {recall:.3f} / FPR {fpr:.3f}"
              f"{f' / everyday FPR {ordinary:.3f}' if everyday else ''}", flush=True)
    bias, weights = fit(examples)
    out: Path = args.out or WEIGHTS
    staging = out.with_suffix(".tmp")
    staging.write_text(json.dumps({
        "version": 1, "trained_on": sorted(p.name for p in args.data),
        "everyday": sorted(p.name for p in args.everyday or []),
        "messages": len(examples), "bias": round(bias, 5),
        "thresholds": points,
        "weights": dict(sorted(weights.items())),
    }, ensure_ascii=False, indent=0), encoding="utf-8")
    staging.replace(out)
    print(f"wrote {out} ({len(weights)} weights) in {time.monotonic() - started:.0f} s")
    return 0


