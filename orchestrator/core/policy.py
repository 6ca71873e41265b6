"""The dialogue policy: a finite-state machine as one pure function (the FSM chatbot's
design, Rasa's two-stage fallback).

`decide(conversation state, user text, detected emotion, thresholds)` → `Decision`.
The chat core runs the decision and stores `next_state`; no transition logic lives
elsewhere. States: `idle` and `confirm_emotion`.

In `idle`:
  greeting / name question  → RULE (answered per persona, no model call)
  not classified yet        → CLASSIFY (the core classifies and asks again)
  score ≥ answer            → GENERATE a reply reflecting the emotion
  confirm ≤ score < answer  → ASK whether the user feels that emotion (→ confirm_emotion)
  score < confirm, unknown  → FALLBACK: reply without assuming an emotion

In `confirm_emotion`, the next message is read as an answer:
  yes           → GENERATE for the pending message with the pending emotion (→ idle)
  no            → FALLBACK for the pending message (→ idle)
  anything else → a new message, handled as in `idle` (the question is dropped)

Thresholds depend on the classifier (read from its model info): the FSM bot's 0.8/0.6 suit
a multi-label model or a handful of labels; a 7-label or 58-label softmax spreads
probability thinner, so its defaults are lower.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from orchestrator.core.rules import Rule, match_rule, normalise
from orchestrator.core.types import UNKNOWN_EMOTION, DetectedEmotion, DialogueState


class Action(enum.Enum):
    RULE = "rule"
    CLASSIFY = "classify"
    GENERATE = "generate"
    ASK = "ask"
    FALLBACK = "fallback"


class Answer(enum.Enum):
    YES = "yes"
    NO = "no"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Thresholds:
    answer: float
    confirm: float

    @classmethod
    def for_model(cls, label_count: int, multi_label: bool = False,
                  answer: float | None = None, confirm: float | None = None) -> Thresholds:
        if multi_label or label_count <= 4:
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


@dataclass(frozen=True, slots=True)
class Pending:
    """The message a confirmation question is about."""

    text: str
    emotion: DetectedEmotion


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    next_state: DialogueState = DialogueState.IDLE
    text: str = ""
    """The message to answer: the user's, or the pending one after a yes/no."""
    emotion: DetectedEmotion = UNKNOWN_EMOTION
    """The emotion the reply reflects (unknown for rules and fallbacks)."""
    detected: DetectedEmotion = UNKNOWN_EMOTION
    """What the classifier found in this message (stored with it)."""
    pending: Pending | None = None
    """ASK: the message the question is about, kept for the next turn."""
    rule: Rule | None = None
    answers_pending: bool = False
    """The reply is about the pending message: the question and its answer are left out of
    the generator's history."""


def route(score: float | None, thresholds: Thresholds) -> Action:
    """The action in `idle` for a message whose top emotion has this score (None: unknown)."""
    if score is None:
        return Action.FALLBACK
    if score >= thresholds.answer:
        return Action.GENERATE
    if score >= thresholds.confirm:
        return Action.ASK
    return Action.FALLBACK


def decide(state: DialogueState, pending: Pending | None, text: str,
           emotion: DetectedEmotion | None, thresholds: Thresholds,
           rules: bool = True) -> Decision:
    """The next step for a user message. `emotion` is None until the message has been
    classified (the decision is then CLASSIFY when the emotion matters)."""
    if state is DialogueState.CONFIRM_EMOTION and pending is not None:
        answer = read_answer(text)
        if answer is Answer.YES:
            return Decision(Action.GENERATE, text=pending.text, emotion=pending.emotion,
                            answers_pending=True)
        if answer is Answer.NO:
            return Decision(Action.FALLBACK, text=pending.text, answers_pending=True)
    rule = match_rule(text) if rules else None
    if rule is not None:
        return Decision(Action.RULE, text=text, rule=rule)
    if emotion is None:
        return Decision(Action.CLASSIFY, text=text)
    action = route(emotion.score if emotion.known else None, thresholds)
    if action is Action.ASK:
        return Decision(action, DialogueState.CONFIRM_EMOTION, text, emotion, emotion,
                        Pending(text, emotion))
    if action is Action.GENERATE:
        return Decision(action, text=text, emotion=emotion, detected=emotion)
    return Decision(action, text=text, detected=emotion)


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
