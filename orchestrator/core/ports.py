"""What the chat core needs from the models and the recommender, as protocols.

The core depends on these, not on a transport: `orchestrator/adapters/` implements them
over gRPC and translates transport failures into `UpstreamError` with an `ErrorCode`. The
tests can plug in anything that speaks the protocol.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from orchestrator.core.types import GenerationParams, Role, Track


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The served classifier's label space (from its GetModelInfo)."""

    name: str
    version: str
    labels: tuple[str, ...]
    multi_label: bool


@dataclass(frozen=True, slots=True)
class Classification:
    label: str
    score: float
    top: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Classified:
    results: list[Classification]
    model_version: str


class ClassifierPort(Protocol):
    async def classify(self, texts: Sequence[str], deadline: float | None = None) -> Classified:
        """Top labels per text, in order. Raises UpstreamError."""
        ...

    async def model_info(self, deadline: float | None = None) -> ModelInfo:
        """Raises UpstreamError."""
        ...


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    role: Role
    text: str
    emotion: str = ""


@dataclass(frozen=True, slots=True)
class ReplyRequest:
    text: str
    history: tuple[HistoryTurn, ...]
    emotion: str
    """The classifier's label ("" = answer without assuming an emotion)."""
    score: float
    persona: str
    """Persona id."""
    params: GenerationParams
    conversation_id: str
    avoid: tuple[str, ...] = ()
    """Replies not to give (a regenerated or rejected reply)."""
    situation: str = ""
    """What the message is about (an emotion_chat.situations id) or ""."""
    who: str = ""
    """The person or animal it names (엄마, 강아지), for replies that refer to it."""
    what: str = ""
    """The matter it names (면접, 카드값)."""
    sensitive: bool = False
    """Never a playful reply (a sensitive situation, or a recent crisis)."""
    question: bool = False
    """The message asks something (small talk gets an answer, not a greeting)."""


@dataclass(frozen=True, slots=True)
class CrisisEvent:
    """A turn that showed suicide or self-harm risk, for a human operator."""

    conversation_id: str
    channel: str
    turn_index: int
    text: str
    cue: str
    persona: str
    at_ms: int


class CrisisNotifier(Protocol):
    def notify(self, event: CrisisEvent) -> None:
        """Hand the event over without waiting (the turn never waits for an operator)."""
        ...


class GeneratorPort(Protocol):
    def stream(self, request: ReplyRequest, deadline: float | None = None
               ) -> AsyncIterator[str]:
        """The reply's text deltas; the reply is their concatenation, stripped. Raises
        UpstreamError (possibly after some deltas)."""
        ...


@dataclass(frozen=True, slots=True)
class AudioRange:
    data: bytes
    offset: int
    total_size: int
    mime_type: str


class RecommenderPort(Protocol):
    async def recommend(self, emotion: str, k: int, conversation_id: str,
                        exclude_ids: Sequence[str], deadline: float | None = None
                        ) -> tuple[Track, ...]:
        """Songs for an emotion label; raises UpstreamError."""
        ...

    async def similar(self, track_id: str, k: int, deadline: float | None = None
                      ) -> tuple[Track, ...]:
        """The songs that sound most like one; NotFoundError for an unknown track."""
        ...

    async def read_audio(self, track_id: str, offset: int, length: int,
                         deadline: float | None = None) -> AudioRange:
        """A byte range of a track's audio file."""
        ...
