"""Classification metrics without extra dependencies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ClassReport:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    accuracy: float
    macro_f1: float
    classes: tuple[ClassReport, ...]
    confusion: dict[str, dict[str, int]]
    """gold → predicted → count."""


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def classification_report(gold: Sequence[str], predicted: Sequence[str],
                          labels: Sequence[str]) -> Report:
    pairs = Counter(zip(gold, predicted, strict=True))
    classes = []
    for label in labels:
        tp = pairs[(label, label)]
        predicted_n = sum(n for (_, p), n in pairs.items() if p == label)
        support = sum(n for (g, _), n in pairs.items() if g == label)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        classes.append(ClassReport(label, precision, recall, _f1(precision, recall), support))
    present = [c for c in classes if c.support]
    confusion = {g: {p: pairs[(g, p)] for p in labels} for g in labels}
    return Report(accuracy=sum(pairs[(x, x)] for x in labels) / max(1, len(gold)),
                  macro_f1=sum(c.f1 for c in present) / max(1, len(present)),
                  classes=tuple(classes), confusion=confusion)


@dataclass(frozen=True)
class Detection:
    """A binary detector against gold labels."""

    true_positives: int
    false_negatives: int
    false_positives: int
    true_negatives: int

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else 0.0

    @property
    def false_positive_rate(self) -> float:
        negatives = self.false_positives + self.true_negatives
        return self.false_positives / negatives if negatives else 0.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 0.0


def detection(gold: Sequence[bool], flagged: Sequence[bool]) -> Detection:
    pairs = Counter(zip(gold, flagged, strict=True))
    return Detection(pairs[(True, True)], pairs[(True, False)], pairs[(False, True)],
                     pairs[(False, False)])
