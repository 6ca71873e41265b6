"""A learned risk score: logistic regression over the message's morphemes, morpheme pairs,
character trigrams, its themes and their pairs (lexicon.py: despair with a farewell, a
means with a plan) and the patterns' verdict,
trained on the project's labelled crisis messages (`emotion-chat train-crisis`, see
training/crisis.py) and shipped as scorer.json.

The patterns are precise but cannot list every way of saying it; the score catches the
indirect phrasings they miss (이 메시지 보면 나는 이미 없을 거야) and learns where a pattern's
words are harmless. Scoring a message is a few dozen dictionary look-ups.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from emotion_chat.language.morphs import Analysis
from orchestrator.core.safety import patterns
from orchestrator.core.safety.lexicon import theme_features
from orchestrator.core.safety.means import means_in, plans
from orchestrator.core.safety.risk import Risk, RiskAssessment, Sensitivity

WEIGHTS = Path(__file__).with_name("scorer.json")
_SPACE = re.compile(r"\s+")
_PUNCTUATION_TAGS = ("SF", "SP", "SS", "SE", "SO", "SN", "SL", "SH")


def features(analysis: Analysis, matched: RiskAssessment) -> set[str]:
    keys = [k for k in analysis.keys if k.rsplit("/", 1)[-1] not in _PUNCTUATION_TAGS]
    found = {f"m:{k}" for k in keys}
    found |= {f"b:{a}|{b}" for a, b in itertools.pairwise(keys)}
    compact = "_" + _SPACE.sub("_", analysis.text.strip()) + "_"
    found |= {f"c:{compact[i:i + 3]}" for i in range(len(compact) - 2)}
    if matched.risk is not Risk.NONE:
        found |= {f"p:{matched.risk.value}", f"p:{matched.cue}"}
    rendered = analysis.rendered
    held = means_in(rendered)
    found |= {f"means:{m.value}" for m in held}
    if held and plans(rendered):
        found |= {f"means+plan:{m.value}" for m in held}
    found |= theme_features(analysis)
    found |= {f"x:{name}" for name in patterns.excused(analysis)}
    for name, flagged in (("others", patterns.mentions_others(rendered)),
                          ("about", patterns.about_topic(rendered)),
                          ("self", patterns.mentions_self(rendered)),
                          ("game", patterns.game_context(rendered)),
                          ("laugh", "ㅋ" in analysis.text)):
        if flagged:
            found.add(f"f:{name}")
    return found


@dataclass(frozen=True, slots=True)
class Thresholds:
    crisis: float
    possible: float


@dataclass(frozen=True)
class Scorer:
    bias: float
    weights: dict[str, float]
    points: dict[Sensitivity, Thresholds]

    def probability(self, found: set[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in found)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def from_file(cls, path: Path) -> Scorer:
        raw = json.loads(path.read_text(encoding="utf-8"))
        points = {Sensitivity(name): Thresholds(float(point["crisis"]), float(point["possible"]))
                  for name, point in raw["thresholds"].items()}
        missing = set(Sensitivity) - set(points)
        if missing:
            raise ValueError(f"{path}: no thresholds for {sorted(m.value for m in missing)}")
        return cls(float(raw["bias"]), {k: float(v) for k, v in raw["weights"].items()}, points)


@cache
def shipped() -> Scorer | None:
    """The scorer shipped with the package (None before one was trained)."""
    return Scorer.from_file(WEIGHTS) if WEIGHTS.is_file() else None
