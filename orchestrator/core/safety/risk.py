"""The outcome of reading a message for suicide and self-harm risk."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Sensitivity(enum.Enum):
    """The detector's operating point: how many false alarms it may raise to miss fewer
    people at risk. Each has thresholds chosen by cross-validation for a false-positive rate
    (on hard negatives: 배고파 죽겠어, 옥상에서 고기 구워 먹음) of at most 2, 5 or 10 %."""

    PRECISE = "precise"
    BALANCED = "balanced"
    SENSITIVE = "sensitive"


TARGET_FPR: dict[Sensitivity, float] = {
    Sensitivity.PRECISE: 0.02, Sensitivity.BALANCED: 0.05, Sensitivity.SENSITIVE: 0.10}


class Risk(enum.Enum):
    NONE = "none"
    POSSIBLE = "possible"
    CRISIS = "crisis"


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    risk: Risk
    cue: str = ""
    """The name of the pattern that matched (for logs and metrics; never the text)."""


NO_RISK = RiskAssessment(Risk.NONE)
