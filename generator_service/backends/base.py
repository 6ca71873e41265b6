"""The interface every generation backend implements, and what it receives and returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from emotion_chat.personas import Persona


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    role: str  # "user" or "assistant"
    text: str
    emotion: str = ""


@dataclass(frozen=True, slots=True)
class GenerationInput:
    history: tuple[HistoryTurn, ...]
    text: str
    # The classifier's label as given (may be a 58-way sub-emotion) and its 7-way reply emotion.
    emotion: str
    reply_emotion: str
    emotion_score: float
    persona: Persona
    max_new_tokens: int
    temperature: float
    top_p: float
    seed: int | None
    conversation_id: str
    # Absolute time.monotonic() deadline, or None.
    deadline: float | None = None
    # Replies not to give again (e.g. rejected by a consistency check); the bank skips them,
    # sampling backends differ through the seed.
    avoid_replies: tuple[str, ...] = ()
    # Benchmarks only: generate at least this many tokens (ignores EOS until then).
    min_new_tokens: int = 0
    # What the message is about (emotion_chat.situations), who and what it names, and
    # whether it must not get a playful reply or asks something (see GenerateRequest).
    situation: str = ""
    who: str = ""
    what: str = ""
    sensitive: bool = False
    question: bool = False

    @property
    def previous_replies(self) -> list[str]:
        return [t.text for t in self.history if t.role == "assistant"] + list(self.avoid_replies)


@dataclass(frozen=True, slots=True)
class Completion:
    """The final item of a backend's stream."""

    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


class GenerationBackend(Protocol):
    name: str
    model_name: str

    async def startup(self) -> None: ...

    async def shutdown(self) -> None: ...

    def stream(self, request: GenerationInput) -> AsyncIterator[str | Completion]:
        """Text deltas, then exactly one Completion."""
        ...
