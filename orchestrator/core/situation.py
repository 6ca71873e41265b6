"""The emotion a reply answers, given the message's situation."""

from __future__ import annotations

from emotion_chat.situations import EMOTIONS, SENSITIVE, Situation
from emotion_chat.taxonomy import core_emotion
from orchestrator.core.types import DetectedEmotion

CALM = frozenset({"행복", "중립"})


def fitting_emotion(detected: DetectedEmotion, situation: Situation | None) -> DetectedEmotion:
    """The emotion to answer. In a sensitive situation (a death, an illness, money trouble...)
    an emotion it does not show (a friend who died read as 당황 or 행복) is replaced by the
    best of the classifier's other candidates that fits, or the situation's most likely
    emotion. Elsewhere only a happy or calm reading of a situation that is neither (a sore
    back read as 행복) is replaced: the classifier tells anger from worry better than a topic
    does."""
    if situation is None or not detected.known:
        return detected
    plausible = EMOTIONS[situation]
    core = core_emotion(detected.label)
    if core in plausible or (situation not in SENSITIVE and core not in CALM):
        return detected
    for label, score in detected.top:
        if core_emotion(label) in plausible:
            return DetectedEmotion(label, score, detected.top)
    return DetectedEmotion(plausible[0], 0.0, detected.top)
