"""The dialogue policy: a finite-state machine as one pure function (the FSM chatbot's
design, Rasa's two-stage fallback).

`decide(conversation state, user text, detected emotion, thresholds, risk)` → `Decision`.
The chat core runs the decision and stores `next_state`; no transition logic lives
elsewhere. States: `idle` and `confirm_emotion`.

Before anything else, in any state:
  suicide or self-harm risk → CRISIS (care and the crisis lines; a possible risk is
                              confirmed by the classifier first)

In `idle`:
  greeting / name question  → RULE (answered per persona, no model call)
  not classified yet        → CLASSIFY (the core classifies and asks again)
  score ≥ answer            → GENERATE a reply reflecting the emotion
  confirm ≤ score < answer  → ASK whether the user feels that emotion (→ confirm_emotion),
                              except for 중립, a question, or a sensitive situation
                              (GENERATE)
  score < confirm, unknown  → FALLBACK: reply without assuming an emotion

In `confirm_emotion`, the next message is read as an answer:
  yes           → GENERATE for the pending message with the pending emotion (→ idle)
  no            → FALLBACK for the pending message (→ idle)
  no + more     → a correction ("아니 그게 아니라 고양이가 걱정된다고"): what follows the no is
                  a new message, classified and answered (→ idle)
  anything else → a new message, handled as in `idle`, except that the bot never asks a
                  second confirm question in a row: it answers instead

Thresholds depend on the classifier (read from its model info): the FSM bot's 0.8/0.6 suit
a multi-label model or a handful of labels; a 7-label or 58-label softmax spreads
probability thinner, so its defaults are lower.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from emotion_chat.taxonomy import NEUTRAL, core_emotion
from orchestrator.core.rules import Rule, match_rule, normalise
from orchestrator.core.safety import NO_RISK, Risk, RiskAssessment, confirmed
from orchestrator.core.types import UNKNOWN_EMOTION, DetectedEmotion, DialogueState


class Action(enum.Enum):
    CRISIS = "crisis"
    RULE = "rule"
    CLASSIFY = "classify"
    GENERATE = "generate"
    ASK = "ask"
    FALLBACK = "fallback"


class Answer(enum.Enum):
    YES = "yes"
    NO = "no"
    CORRECTION = "correction"
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
    """The message to answer (and to classify): the user's, the pending one after a yes/no,
    or what follows the no of a correction."""
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
           rules: bool = True, risk: RiskAssessment = NO_RISK,
           sensitive: bool = False, question: bool = False) -> Decision:
    """The next step for a user message. `emotion` is None until the message has been
    classified (the decision is then CLASSIFY when the emotion matters). `sensitive`: the
    message is about a loss, an illness, money trouble... (never asked "혹시 기분이 좋은
    거야?" there: a known emotion is answered). `question`: the message asks something (점심
    뭐 먹지?): it is answered, never met with a question about feelings."""
    if risk.risk is Risk.CRISIS:
        return Decision(Action.CRISIS, text=text, detected=emotion or UNKNOWN_EMOTION)
    if risk.risk is Risk.POSSIBLE:
        if emotion is None:
            return Decision(Action.CLASSIFY, text=text)
        if confirmed(risk, emotion):
            return Decision(Action.CRISIS, text=text, detected=emotion)
    asked = state is DialogueState.CONFIRM_EMOTION and pending is not None
    if asked:
        assert pending is not None
        answer, rest = read_answer(text)
        if answer is Answer.YES:
            return Decision(Action.GENERATE, text=pending.text, emotion=pending.emotion,
                            answers_pending=True)
        if answer is Answer.NO:
            return Decision(Action.FALLBACK, text=pending.text, answers_pending=True)
        if answer is Answer.CORRECTION:
            text = rest
    rule = match_rule(text) if rules and not asked else None
    if rule is not None:
        return Decision(Action.RULE, text=text, rule=rule)
    if emotion is None:
        return Decision(Action.CLASSIFY, text=text)
    action = route(emotion.score if emotion.known else None, thresholds)
    if emotion.known and (sensitive or (action is Action.ASK and (
            asked  # never two confirm questions in a row
            or question  # a question is answered
            or core_emotion(emotion.label) == NEUTRAL))):  # nor "혹시 덤덤한 거야?"
        action = Action.GENERATE
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


_CORRECTION = re.compile(r"^(?:(?:아니|아니야|아니요|아뇨|아냐|노|ㄴㄴ)[\s,.!~…]*)?"
                         r"(?:그게|그건|그거|내\s*말은)\s*아니(?:라|고|구)[\s,.!~…]*")
MIN_CORRECTION_WORDS = 2


def read_answer(text: str) -> tuple[Answer, str]:
    """Yes/no to the confirmation question, from its first word or the whole short message.
    A no followed by more ("아니 그게 아니라 고양이가 걱정된다고", "아니야 그냥 피곤해") is a
    CORRECTION, returned with what follows; longer or unrelated messages are OTHER."""
    stripped = text.strip()
    correction = _CORRECTION.match(stripped)
    if correction and stripped[correction.end():].strip():
        return Answer.CORRECTION, stripped[correction.end():].strip()
    words = _WORDS.findall(stripped)
    if not words:
        return Answer.OTHER, ""
    whole, first = normalise(stripped), normalise(words[0])
    if whole in _NO_WORDS:
        return Answer.NO, ""
    if whole in _YES_WORDS:
        return Answer.YES, ""
    if first in _NO_WORDS:
        rest = stripped[stripped.index(words[0]) + len(words[0]):].lstrip(" ,.!~…")
        if len(_WORDS.findall(rest)) >= MIN_CORRECTION_WORDS:
            return Answer.CORRECTION, rest
        return Answer.NO, ""
    if len(words) > MAX_ANSWER_WORDS:
        return Answer.OTHER, ""
    if first in _YES_WORDS:
        return Answer.YES, ""
    return Answer.OTHER, ""
