"""Suicide and self-harm risk in a Korean message, read before anything else in a turn.

Two layers over Kiwi's morphemes:
- curated patterns (patterns.py): a first-person wish to die or not to exist, a plan or
  means, self-harm, a suicidal farewell; with the exceptions Korean needs (죽겠다 and 죽는 줄
  are intensifiers, 살 is flesh, things die, 유서 깊은 is "historic", talk about others,
  news and studies is not the person's own risk);
- a learned score (scorer.py) over the same morphemes, trained on the project's labelled
  messages, for the indirect phrasings no pattern lists.

Outcome: CRISIS (answered with care and the crisis lines), POSSIBLE (a crisis unless the
emotion classifier reads the message as clearly calm or happy), or NONE.
"""

from __future__ import annotations

from emotion_chat.language.morphs import Analysis
from emotion_chat.taxonomy import core_emotion
from orchestrator.core.safety.patterns import excused, match
from orchestrator.core.safety.risk import NO_RISK, Risk, RiskAssessment, Sensitivity
from orchestrator.core.safety.scorer import Scorer, Thresholds, features, shipped
from orchestrator.core.types import DetectedEmotion

CALM = frozenset({"행복", "중립"})
CALM_SCORE = 0.6
EXCUSED_SCORE = 0.95


def assess(analysis: Analysis, sensitivity: Sensitivity = Sensitivity.BALANCED,
           scorer: Scorer | None = None) -> RiskAssessment:
    """CRISIS when a pattern says so or the score is high; POSSIBLE when a pattern or a
    middling score suggests it; NONE otherwise. `sensitivity` picks the score's thresholds."""
    matched = match(analysis)
    scorer = scorer or shipped()
    if matched.risk is Risk.CRISIS or scorer is None:
        return matched
    probability = scorer.probability(features(analysis, matched))
    point = scorer.points[sensitivity]
    if matched.risk is Risk.NONE and excused(analysis):
        # a pattern read risk and its exception said no (숙제 다 끝내고 싶어): only a
        # near-certain score overrules the curated exception
        point = Thresholds(max(point.crisis, EXCUSED_SCORE), max(point.possible, EXCUSED_SCORE))
    if probability >= point.crisis:
        return RiskAssessment(Risk.CRISIS, "score")
    if matched.risk is Risk.POSSIBLE:
        return matched
    if probability >= point.possible:
        return RiskAssessment(Risk.POSSIBLE, "score")
    return NO_RISK


def confirmed(assessment: RiskAssessment, emotion: DetectedEmotion) -> bool:
    """A POSSIBLE risk is a crisis unless the classifier reads the message as clearly happy
    or neutral (the wordings are distress far more often than not, and a missed crisis costs
    more than a caring reply too many)."""
    if assessment.risk is Risk.CRISIS:
        return True
    if assessment.risk is not Risk.POSSIBLE:
        return False
    if not emotion.known:
        return True
    return not (core_emotion(emotion.label) in CALM and emotion.score >= CALM_SCORE)


__all__ = ["NO_RISK", "Risk", "RiskAssessment", "Sensitivity", "assess", "confirmed"]
