"""Personas: the Inside Out set plus the open-domain default, extendable from a JSON file.

A persona has a system prompt (OpenAI-compatible backends), a style tag (prefixed to the
local LM's prompt), a reply bank (the offline backend), and the orchestrator's rule-layer
lines: greetings, introductions (answers to "what's your name") and the question that asks
the user to confirm an emotion; and how it shows in a picker (a Korean tagline, a colour and
an emoji). A user file with the same shape as
`personas.json` adds personas or overrides shipped ones by id; its `bank` entries may point
to reply-bank files (relative to the user file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emotion_chat.errors import InvalidInputError

SHIPPED = Path(__file__).with_name("personas.json")
BANK_DIR = Path(__file__).with_name("bank")

# Korean crisis lines every crisis reply gives: 자살예방상담전화 (24 h, the unified number
# since 2024), 정신건강위기상담, 청소년 상담.
CRISIS_LINES = ("109", "1577-0199", "1388")
DEFAULT_CRISIS_REPLY = (
    "많이 힘들었구나. 말해 줘서 고마워, 너는 혼자가 아니야. 지금 바로 전문 상담사와 "
    "이야기해 줘: 자살예방상담전화 109 (24시간), 정신건강위기상담 1577-0199, 청소년이라면 "
    "1388. 지금 안전한 곳에 있어?")

# The BERT & GPT pipeline paper's scheme: the user's message arrives as "text ;; emotion".
SEED_INSTRUCTIONS = (
    "사용자의 메시지는 '문장 ;; 감정' 형식으로 와. ';;' 뒤의 단어는 사용자가 지금 느끼는 감정이야. "
    "그 감정을 알아주고 반영해서, 친한 친구처럼 편한 반말로 한두 문장만 답해 줘. "
    "';;'나 감정 이름을 그대로 따라 쓰지 말고, 감정이 없으면 자연스럽게 대화해.")


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    description: str
    embodies: str
    style_tag: str
    system_prompt: str
    bank_path: Path
    tagline: str = ""
    """One line in Korean for pickers (the web page)."""
    color: str = "#888888"
    emoji: str = "🙂"
    greetings: tuple[str, ...] = ("안녕! 반가워.",)
    introductions: tuple[str, ...] = ("나는 너의 대화 친구야.",)
    confirm_template: str = "혹시 지금 {feeling} 거야?"
    crisis_replies: tuple[str, ...] = ()
    """Caring replies to someone at risk of suicide or self-harm, each with every crisis
    line (CRISIS_LINES)."""

    @property
    def full_system_prompt(self) -> str:
        return f"{self.system_prompt}\n{SEED_INSTRUCTIONS}"


def _persona(entry: dict[str, Any], base: Path) -> Persona:
    try:
        persona_id = str(entry["id"])
        bank = entry.get("bank")
        bank_path = (base / bank) if bank else BANK_DIR / f"{persona_id}.json"
        return Persona(id=persona_id, name=str(entry["name"]),
                       description=str(entry.get("description", "")),
                       embodies=str(entry.get("embodies", "")),
                       style_tag=str(entry.get("style_tag", "")),
                       system_prompt=str(entry["system_prompt"]), bank_path=bank_path,
                       tagline=str(entry.get("tagline", "")),
                       color=str(entry.get("color") or Persona.color),
                       emoji=str(entry.get("emoji") or Persona.emoji),
                       greetings=tuple(entry.get("greetings") or Persona.greetings),
                       introductions=tuple(entry.get("introductions") or Persona.introductions),
                       confirm_template=str(entry.get("confirm_template")
                                            or Persona.confirm_template),
                       crisis_replies=_crisis_replies(entry))
    except KeyError as missing:
        raise ValueError(f"persona entry {entry!r} lacks {missing}") from None


def _crisis_replies(entry: dict[str, Any]) -> tuple[str, ...]:
    replies = tuple(str(r) for r in entry.get("crisis_replies") or (DEFAULT_CRISIS_REPLY,))
    for reply in replies:
        missing = [line for line in CRISIS_LINES if line not in reply]
        if missing:
            raise ValueError(f"persona {entry.get('id')!r}: a crisis reply lacks the crisis "
                             f"line(s) {', '.join(missing)}: {reply!r}")
    return replies


class PersonaRegistry:
    def __init__(self, personas: list[Persona], default: str) -> None:
        self._by_id = {p.id: p for p in personas}
        self._by_name = {p.name: p for p in personas}
        if default not in self._by_id:
            raise ValueError(f"default persona {default!r} is not defined")
        self.default = default

    @classmethod
    def load(cls, extra_file: Path | None = None, default: str | None = None
             ) -> PersonaRegistry:
        shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
        personas = {p.id: p for p in (_persona(e, SHIPPED.parent) for e in shipped["personas"])}
        chosen_default = shipped["default"]
        if extra_file is not None:
            extra = json.loads(Path(extra_file).read_text(encoding="utf-8"))
            for entry in extra.get("personas", []):
                persona = _persona(entry, Path(extra_file).parent)
                personas[persona.id] = persona
            chosen_default = extra.get("default", chosen_default)
        return cls(list(personas.values()), default or chosen_default)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_id.values())

    def resolve(self, key: str) -> Persona:
        """By id or display name; empty selects the default."""
        if not key:
            return self._by_id[self.default]
        persona = self._by_id.get(key) or self._by_name.get(key)
        if persona is None:
            known = ", ".join(f"{p.id} ({p.name})" for p in self._by_id.values())
            raise InvalidInputError(f"unknown persona {key!r}; known personas: {known}")
        return persona
