"""Multi-label classifiers (the Inside Out chatbot's four emotions that can hold at once):
per-label thresholds tuned on validation, and the per-label report.

A sigmoid per label gives independent probabilities; 0.5 is rarely the best cut for every
label (rare labels want a lower one). Each label's threshold is the one that maximises its F1
on the validation split (ties go to the one nearest 0.5); the classifier service reads them
from `config.json` (`label_thresholds`) and answers every label above its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


def multi_hot(label_sets: Sequence[frozenset[str]], names: Sequence[str]) -> np.ndarray:
    return np.array([[1.0 if name in labels else 0.0 for name in names]
                     for labels in label_sets], dtype=np.float32)


def _f1(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp, flagged, actual = (float(x) for x in ((predicted * truth).sum(), predicted.sum(),
                                               truth.sum()))
    precision = tp / flagged if flagged else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def micro_f1(probabilities: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> float:
    return _f1((probabilities >= threshold).astype(np.float32), truth)[2]


def tune_thresholds(probabilities: np.ndarray, truth: np.ndarray, names: Sequence[str]
                    ) -> dict[str, float]:
    """Per label, the grid threshold with the best validation F1 (nearest 0.5 on ties)."""
    chosen = {}
    for j, name in enumerate(names):
        scored = [(_f1((probabilities[:, j] >= t).astype(np.float32), truth[:, j])[2],
                   -abs(t - 0.5), t) for t in GRID]
        chosen[name] = max(scored)[2]
    return chosen


@dataclass(frozen=True)
class LabelScore:
    label: str
    threshold: float
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class MultiLabelReport:
    labels: list[LabelScore]
    micro_f1: float
    macro_f1: float
    exact_match: float
    """Rows whose whole label set was predicted exactly."""

    def table(self) -> str:
        lines = [f"{'label':<10}{'threshold':>10}{'precision':>10}{'recall':>10}{'f1':>8}"
                 f"{'support':>9}"]
        lines += [f"{s.label:<10}{s.threshold:>10.2f}{s.precision:>10.3f}{s.recall:>10.3f}"
                  f"{s.f1:>8.3f}{s.support:>9d}" for s in self.labels]
        lines.append(f"micro F1 {self.micro_f1:.3f} · macro F1 {self.macro_f1:.3f} · exact "
                     f"match {self.exact_match:.3f}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {"micro_f1": self.micro_f1, "macro_f1": self.macro_f1,
                "exact_match": self.exact_match, "labels": [s.__dict__ for s in self.labels]}


def report(probabilities: np.ndarray, truth: np.ndarray, names: Sequence[str],
           thresholds: dict[str, float]) -> MultiLabelReport:
    cut = np.array([thresholds[name] for name in names], dtype=np.float32)
    predicted = (probabilities >= cut).astype(np.float32)
    scores = []
    for j, name in enumerate(names):
        precision, recall, f1 = _f1(predicted[:, j], truth[:, j])
        scores.append(LabelScore(name, thresholds[name], precision, recall, f1,
                                 int(truth[:, j].sum())))
    return MultiLabelReport(scores, _f1(predicted, truth)[2],
                            float(np.mean([s.f1 for s in scores])),
                            float((predicted == truth).all(axis=1).mean()))
