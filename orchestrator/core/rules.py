"""The rule layer (the scenario blocks of the Inside Out bot, the FSM bot's rule-based
recogniser that runs before the NLU): greetings and "what's your name" are answered per
persona without any model call."""

from __future__ import annotations

import enum
import re

from emotion_chat.personas import Persona

_STRIP = re.compile(r"[\s.,!?~…ㅎㅋㅠㅜ^]+")
_GREETINGS = frozenset("""
안녕 안녕하세요 안녕하십니까 안녕안녕 안뇽 하이 하이요 ㅎㅇ hi
hello hey 헬로 반가워 반가워요 반갑습니다 방가 방가방가 좋은아침
굿모닝 안녕반가워 처음뵙겠습니다
""".split())
_NAME_QUESTION = re.compile(
    r"^(너|넌|니|네|당신|그쪽)?(의)?(이름|이름이|이름은)(뭐|머|무엇|뭔)|"
    r"^(너|넌|당신|그쪽)?(누구|누구야|누구예요|누구세요|누구니|누구임)$")


class Rule(enum.Enum):
    GREETING = "greeting"
    NAME = "name"


def normalise(text: str) -> str:
    return _STRIP.sub("", text).lower()


def match_rule(text: str) -> Rule | None:
    key = normalise(text)
    if key in _GREETINGS:
        return Rule.GREETING
    if _NAME_QUESTION.search(key):
        return Rule.NAME
    return None


def rule_line(rule: Rule, persona: Persona, turn_number: int) -> str:
    """The persona's canned answer to a matched rule."""
    lines = persona.greetings if rule is Rule.GREETING else persona.introductions
    return lines[turn_number % len(lines)]
