"""The chat core's domain types: what a front door asks, what a turn answers, and the
events a turn emits while it runs. No protobuf and no JSON here: each front door converts
at its edge (`orchestrator/channels/*/converters.py`)."""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, field

from emotion_chat.errors import InvalidInputError


class Channel(enum.Enum):
    """The front door a message came through (stored with it, counted in the metrics)."""

    GRPC = "grpc"
    HTTP = "http"
    OPENAI = "openai"
    KAKAO = "kakao"


class ReplyKind(enum.Enum):
    CRISIS = "crisis"
    """Suicide or self-harm risk: care and the crisis lines, before anything else."""
    RULE = "rule"
    """Greeting or name question answered by the rule layer, without model calls."""
    GENERATED = "generated"
    """Confident emotion: the generator answered reflecting it."""
    CONFIRM_QUESTION = "confirm_question"
    """Medium confidence: the bot asks the user to confirm the emotion."""
    FALLBACK = "fallback"
    """Low confidence or unknown emotion: answered without assuming one."""


class DialogueState(enum.Enum):
    IDLE = "idle"
    CONFIRM_EMOTION = "confirm_emotion"
    """The bot asked whether the user feels the pending emotion; a yes/no is expected."""


class Degradation(enum.Enum):
    """Why a turn was answered in a degraded mode."""

    CLASSIFIER_UNAVAILABLE = "classifier_unavailable"
    GENERATOR_UNAVAILABLE = "generator_unavailable"
    GENERATOR_TOO_SLOW = "generator_too_slow"
    """The reply was not ready within the caller's reply budget (e.g. Kakao's 5 s): the
    offline bank answered instead."""
    RECOMMENDER_UNAVAILABLE = "recommender_unavailable"
    """No songs this turn: the recommender failed or was too slow."""


class Role(enum.Enum):
    USER = "user"
    ASSISTANT = "assistant"


CONVERSATION_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
MAX_NEW_TOKENS_LIMIT = 1024


def check_conversation_id(conversation_id: str) -> str:
    if not conversation_id:
        raise InvalidInputError("conversation_id is required")
    if not CONVERSATION_ID.match(conversation_id):
        raise InvalidInputError("conversation_id must be 1-128 characters of "
                                "letters, digits and . _ : @ -")
    return conversation_id


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """Sampling parameters for the reply; None/0 leave the generator's defaults."""

    max_new_tokens: int = 0
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None

    def validate(self, max_new_tokens: int = MAX_NEW_TOKENS_LIMIT) -> GenerationParams:
        if not 0 <= self.max_new_tokens <= max_new_tokens:
            raise InvalidInputError(f"params.max_new_tokens {self.max_new_tokens} is outside "
                                    f"[0, {max_new_tokens}]")
        if self.temperature is not None and not (math.isfinite(self.temperature)
                                                 and 0 <= self.temperature <= 2):
            raise InvalidInputError(f"params.temperature {self.temperature} is outside [0, 2]")
        if self.top_p is not None and not (math.isfinite(self.top_p) and 0 < self.top_p <= 1):
            raise InvalidInputError(f"params.top_p {self.top_p} is outside (0, 1]")
        if self.seed is not None and not -2**63 <= self.seed < 2**63:
            raise InvalidInputError(f"params.seed {self.seed} does not fit in 64 bits")
        return self

    def next_seed(self, offset: int) -> GenerationParams:
        """The same parameters with another seed (a regeneration must not repeat itself)."""
        if self.seed is None:
            return self
        return GenerationParams(self.max_new_tokens, self.temperature, self.top_p,
                                (self.seed + offset) % 2**63)


@dataclass(frozen=True, slots=True)
class DetectedEmotion:
    label: str = ""
    score: float = 0.0
    top: tuple[tuple[str, float], ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.label)


UNKNOWN_EMOTION = DetectedEmotion()


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """One user message for one conversation, from any front door."""

    conversation_id: str
    text: str
    persona: str = ""
    """Persona id or name; empty keeps the conversation's persona (or the default)."""
    params: GenerationParams = field(default_factory=GenerationParams)
    channel: Channel = Channel.GRPC
    request_id: str | None = None
    """The client's id for this request (idempotent retries; echoed in logs)."""
    deadline: float | None = None
    """Absolute time.monotonic() after which the caller has given up."""
    reply_by: float | None = None
    """Absolute time.monotonic() by which a reply must be ready: past it the offline bank
    answers (flagged degraded) instead of waiting for the generator."""


@dataclass(frozen=True, slots=True)
class RegenerateRequest:
    """Replace the last bot reply of a conversation with a different one."""

    conversation_id: str
    persona: str = ""
    params: GenerationParams = field(default_factory=GenerationParams)
    channel: Channel = Channel.GRPC
    request_id: str | None = None
    deadline: float | None = None


@dataclass(slots=True)
class TurnResult:
    conversation_id: str
    reply: str
    emotion: DetectedEmotion
    persona: str
    kind: ReplyKind
    state: DialogueState
    turn_index: int
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage (lock, load, classify, generate, consistency, save, total,
    overhead)."""
    degraded: list[Degradation] = field(default_factory=list)
    attempts: int = 0
    reply_emotion: str = ""
    consistent: bool = True
    regenerated: bool = False
    situation: str = ""
    """What the message is about (an emotion_chat.situations id), carried over from the
    last turns when the message names none; "" when unknown."""
    tracks: tuple[Track, ...] = ()
    """Songs for the reply's emotion (generated turns, with a recommender)."""
    replayed: bool = False
    """The stored answer to a retried request_id: nothing was run or stored again."""

    def degrade(self, reason: Degradation) -> None:
        if reason not in self.degraded:
            self.degraded.append(reason)


@dataclass(frozen=True, slots=True)
class Track:
    """A recommended song (the recommender's catalogue entry)."""

    id: str
    title: str
    artist: str
    emotions: tuple[str, ...]
    duration_s: float
    mime_type: str
    licence: str = ""
    distance: float = 0.0
    """Similar tracks: how far from the one asked about (smaller is closer)."""


@dataclass(frozen=True, slots=True)
class EmotionDetected:
    """First event of a turn: the emotion the reply will reflect (empty when none)."""

    emotion: DetectedEmotion


@dataclass(frozen=True, slots=True)
class ReplyDelta:
    """The next piece of the reply's text."""

    text: str


@dataclass(frozen=True, slots=True)
class TurnCompleted:
    """Last event: the stored turn's result."""

    result: TurnResult


TurnEvent = EmotionDetected | ReplyDelta | TurnCompleted
