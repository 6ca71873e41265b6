"""The model's label space and how logits become scores (softmax or per-label sigmoid)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


class ProblemType(enum.Enum):
    SINGLE_LABEL = "single_label_classification"
    MULTI_LABEL = "multi_label_classification"


@dataclass(frozen=True)
class LabelSpace:
    labels: tuple[str, ...]
    problem_type: ProblemType
    # Per-label decision thresholds of a multi-label model (unused for single-label).
    thresholds: tuple[float, ...]
    # Logits are divided by this before softmax/sigmoid (temperature scaling calibrates the
    # confidence the dialogue policy thresholds; 1.0 = raw).
    temperature: float = 1.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any], default_threshold: float = 0.5) -> LabelSpace:
        """Read id2label, problem_type and the optional `label_thresholds` and
        `calibration_temperature` from a HF config.json.

        `label_thresholds` may map label names to thresholds or list them in label order.
        """
        id2label = config.get("id2label")
        if not id2label:
            raise ValueError("config.json has no id2label: cannot name the model's outputs")
        labels = tuple(str(id2label[k]) for k in sorted(id2label, key=lambda k: int(k)))
        raw_type = config.get("problem_type") or ProblemType.SINGLE_LABEL.value
        if raw_type == "regression":
            raise ValueError("regression models are not emotion classifiers")
        problem_type = ProblemType(raw_type)
        thresholds = _thresholds(config.get("label_thresholds"), labels, default_threshold)
        temperature = float(config.get("calibration_temperature", 1.0))
        if not temperature > 0:
            raise ValueError(f"calibration_temperature must be > 0, got {temperature}")
        return cls(labels=labels, problem_type=problem_type, thresholds=thresholds,
                   temperature=temperature)

    @property
    def multi_label(self) -> bool:
        return self.problem_type is ProblemType.MULTI_LABEL

    def scores(self, logits: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float32]:
        """Probabilities per row: softmax (single-label) or sigmoid (multi-label)."""
        x = np.asarray(logits, dtype=np.float32)
        if self.temperature != 1.0:
            x = x / np.float32(self.temperature)
        if self.multi_label:
            return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)
        shifted = x - x.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        return (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)

    def active(self, scores: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
        """Which labels are predicted: the arg-max, or every label over its threshold."""
        if self.multi_label:
            return scores >= np.asarray(self.thresholds, dtype=np.float32)
        flags = np.zeros(scores.shape, dtype=bool)
        flags[..., int(np.argmax(scores))] = True
        return flags


def _thresholds(raw: Any, labels: Sequence[str], default: float) -> tuple[float, ...]:
    if raw is None:
        return tuple(default for _ in labels)
    if isinstance(raw, Mapping):
        unknown = set(raw) - set(labels)
        if unknown:
            raise ValueError(f"label_thresholds names unknown labels: {sorted(unknown)}")
        return tuple(float(raw.get(label, default)) for label in labels)
    values = [float(v) for v in raw]
    if len(values) != len(labels):
        raise ValueError(f"label_thresholds has {len(values)} values for {len(labels)} labels")
    return tuple(values)
