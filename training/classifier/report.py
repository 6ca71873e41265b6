"""Per-class precision/recall/F1 and accuracy, without scikit-learn."""

from __future__ import annotations

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
class EvaluationReport:
    accuracy: float
    classes: list[ClassReport]

    @property
    def macro_f1(self) -> float:
        return sum(c.f1 for c in self.classes) / max(len(self.classes), 1)

    def table(self) -> str:
        lines = [f"{'label':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
        for c in self.classes:
            lines.append(f"{c.label:<14}{c.precision:>10.3f}{c.recall:>10.3f}{c.f1:>10.3f}"
                         f"{c.support:>9d}")
        total = sum(c.support for c in self.classes)
        lines.append(f"{'accuracy':<14}{'':>20}{self.accuracy:>10.3f}{total:>9d}")
        lines.append(f"{'macro f1':<14}{'':>20}{self.macro_f1:>10.3f}{total:>9d}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1,
                "classes": [c.__dict__ for c in self.classes]}


def evaluate(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
             ) -> EvaluationReport:
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    classes = []
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        classes.append(ClassReport(label, precision, recall, f1, tp + fn))
    correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return EvaluationReport(accuracy=correct / max(len(truth), 1), classes=classes)
