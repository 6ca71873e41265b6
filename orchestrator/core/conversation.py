"""What is stored per conversation: its turns and its dialogue state."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from orchestrator.core.types import (
    Channel,
    Degradation,
    DetectedEmotion,
    DialogueState,
    ReplyKind,
    Role,
)


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class StoredTurn:
    role: Role
    text: str
    emotion: str = ""
    """User turns: the detected emotion. Bot turns: the emotion the reply reflects."""
    emotion_score: float = 0.0
    persona: str = ""
    kind: ReplyKind | None = None
    """Bot turns only."""
    channel: Channel | None = None
    """User turns: the front door the message came through."""
    answer_to: str = ""
    """Bot turns answering a confirmation ("응"): the earlier message the reply is about."""
    degraded: tuple[Degradation, ...] = ()
    """Bot turns: the degraded modes the reply was written in."""
    crisis: bool = False
    """User turns: the message showed suicide or self-harm risk."""
    tracks: tuple[str, ...] = ()
    """Bot turns: the ids of the songs recommended with the reply (not repeated later)."""
    created_ms: int = field(default_factory=now_ms)

    def to_json(self) -> str:
        raw: dict[str, Any] = asdict(self)
        raw["role"] = self.role.value
        raw["kind"] = self.kind.value if self.kind else ""
        raw["channel"] = self.channel.value if self.channel else ""
        raw["degraded"] = [d.value for d in self.degraded]
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> StoredTurn:
        data = json.loads(raw)
        data["role"] = Role(data["role"])
        data["kind"] = ReplyKind(data["kind"]) if data.get("kind") else None
        data["channel"] = Channel(data["channel"]) if data.get("channel") else None
        data["degraded"] = tuple(Degradation(d) for d in data.get("degraded", ()))
        data["tracks"] = tuple(data.get("tracks", ()))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True, slots=True)
class ConversationState:
    """The dialogue FSM's state plus what the conversation remembers about itself."""

    state: DialogueState = DialogueState.IDLE
    persona: str = ""
    # confirm_emotion: the emotion asked about, its score and the message it was found in.
    pending_emotion: str = ""
    pending_score: float = 0.0
    pending_text: str = ""
    total_turns: int = 0
    updated_ms: int = 0
    # What the conversation is about: the last situation found, who and what it named, and
    # the turn it was found in (it carries over to the next turns).
    situation: str = ""
    who: str = ""
    what: str = ""
    topic_turn: int = -1
    crisis_turn: int = -1
    """The last turn that showed suicide or self-harm risk (-1: none)."""

    @property
    def pending(self) -> tuple[str, DetectedEmotion] | None:
        if self.state is not DialogueState.CONFIRM_EMOTION or not self.pending_text:
            return None
        return self.pending_text, DetectedEmotion(
            self.pending_emotion, self.pending_score,
            ((self.pending_emotion, self.pending_score),))

    def touched(self) -> ConversationState:
        return replace(self, updated_ms=now_ms())

    def to_mapping(self) -> dict[str, str]:
        raw = {k: str(v) for k, v in asdict(self).items()}
        raw["state"] = self.state.value
        return raw

    @classmethod
    def from_mapping(cls, raw: dict[str, str]) -> ConversationState:
        if not raw:
            return cls()
        return cls(state=DialogueState(raw.get("state") or DialogueState.IDLE.value),
                   persona=raw.get("persona", ""),
                   pending_emotion=raw.get("pending_emotion", ""),
                   pending_score=float(raw.get("pending_score", 0) or 0),
                   pending_text=raw.get("pending_text", ""),
                   total_turns=int(raw.get("total_turns", 0) or 0),
                   updated_ms=int(raw.get("updated_ms", 0) or 0),
                   situation=raw.get("situation", ""), who=raw.get("who", ""),
                   what=raw.get("what", ""), topic_turn=int(raw.get("topic_turn", -1)),
                   crisis_turn=int(raw.get("crisis_turn", -1)))


@dataclass(frozen=True, slots=True)
class Conversation:
    conversation_id: str
    turns: tuple[StoredTurn, ...]
    state: ConversationState

    @property
    def exists(self) -> bool:
        return bool(self.turns) or self.state.total_turns > 0
