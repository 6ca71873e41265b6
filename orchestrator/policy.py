"""The dialogue policy as an explicit finite-state machine (seed 004).

States: `idle` and `confirm_emotion`.

In `idle`, a classified message is routed by its emotion's score:
  score ≥ answer      → GENERATE a reply reflecting the emotion (stay idle)
  confirm ≤ score     → ASK whether the user feels that emotion (→ confirm_emotion)
  score < confirm     → FALLBACK: reply without assuming an emotion (stay idle)
An unknown emotion (classifier unavailable) is a FALLBACK.

In `confirm_emotion`, the next message is read as an answer:
  yes                 → GENERATE for the pending message with the pending emotion (→ idle)
  no                  → FALLBACK for the pending message (→ idle)
  anything else       → a new message: handled as in `idle` (the question is dropped)

Thresholds are per label set: seed 004's 0.8/0.6 suit a handful of labels; a 7-label or a
58-label classifier spreads probability thinner, so its defaults are lower.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from orchestrator.rules import normalise


class Action(enum.Enum):
    GENERATE = "generate"
    ASK = "ask"
    FALLBACK = "fallback"


class Answer(enum.Enum):
    YES = "yes"
    NO = "no"
    OTHER = "other"


@dataclass(frozen=True)
class Thresholds:
    answer: float
    confirm: float

    @classmethod
    def for_labels(cls, label_count: int, answer: float | None = None,
                   confirm: float | None = None) -> Thresholds:
        if label_count <= 4:
            default = cls(0.8, 0.6)
        elif label_count <= 10:
            default = cls(0.5, 0.3)
        else:
            default = cls(0.35, 0.2)
        chosen = cls(default.answer if answer is None else answer,
                     default.confirm if confirm is None else confirm)
        if chosen.confirm > chosen.answer:
            raise ValueError(f"confirm threshold {chosen.confirm} is above the answer "
                             f"threshold {chosen.answer}")
        return chosen


def route(score: float | None, thresholds: Thresholds) -> Action:
    """The action in `idle` for a message whose top emotion has this score (None: unknown)."""
    if score is None:
        return Action.FALLBACK
    if score >= thresholds.answer:
        return Action.GENERATE
    if score >= thresholds.confirm:
        return Action.ASK
    return Action.FALLBACK


_YES_WORDS = frozenset("""
응 응응 으응 웅 엉 어 어어 네 넵 넹 예 ㅇㅇ ㅇ 그래 그래요 그렇지
그렇네 그렇다 맞아 맞아요 맞습니다 맞네 맞지 맞음 당연하지 그럼 그치
그런것같아 그런듯 그런가봐 yes yeah yep
""".split())
_NO_WORDS = frozenset("""
아니 아니야 아니요 아뇨 아녀 아냐 노 ㄴㄴ ㄴ 아닌데 아님 아닌것같아
전혀 그건아니야 그런건아니야 no nope
""".split())
_WORDS = re.compile(r"[^\s.,!?~…]+")
MAX_ANSWER_WORDS = 5


def read_answer(text: str) -> Answer:
    """Yes/no to the confirmation question, from its first word or the whole short message;
    longer or unrelated messages are OTHER (a new message)."""
    words = _WORDS.findall(text)
    if not words or len(words) > MAX_ANSWER_WORDS:
        return Answer.OTHER
    whole, first = normalise(text), normalise(words[0])
    if whole in _NO_WORDS or first in _NO_WORDS:
        return Answer.NO
    if whole in _YES_WORDS or first in _YES_WORDS:
        return Answer.YES
    return Answer.OTHER


FEELINGS = {"행복": "기분이 좋은", "불안": "불안한", "슬픔": "슬픈", "당황": "당황스러운",
            "상처": "마음이 상한", "분노": "화가 난", "중립": "덤덤한"}
