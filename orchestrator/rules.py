"""The rule layer (seed 000's scenario blocks, seed 004's rule-based recogniser first):
greetings and "what's your name" are answered per persona without any model call."""

from __future__ import annotations

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


def normalise(text: str) -> str:
    return _STRIP.sub("", text).lower()


def rule_reply(text: str, persona: Persona, turn_number: int) -> str | None:
    """A persona's canned answer when the message is a greeting or asks its name."""
    key = normalise(text)
    if key in _GREETINGS:
        return persona.greetings[turn_number % len(persona.greetings)]
    if _NAME_QUESTION.search(key):
        return persona.introductions[turn_number % len(persona.introductions)]
    return None
