"""What is stored per conversation: turns and the dialogue state."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

IDLE = "idle"
CONFIRM_EMOTION = "confirm_emotion"


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class StoredTurn:
    role: str  # "user" or "assistant"
    text: str
    emotion: str = ""
    emotion_score: float = 0.0
    persona: str = ""
    kind: str = ""  # assistant turns: rule, generated, confirm_question, fallback
    created_ms: int = field(default_factory=now_ms)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> StoredTurn:
        return cls(**json.loads(raw))


@dataclass(frozen=True, slots=True)
class DialogueState:
    """The finite-state machine's state plus what the conversation remembers about itself."""

    state: str = IDLE
    persona: str = ""
    # confirm_emotion: the emotion asked about, its score and the message it was detected in.
    pending_emotion: str = ""
    pending_score: float = 0.0
    pending_text: str = ""
    total_turns: int = 0
    updated_ms: int = 0

    def to_mapping(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_mapping(cls, raw: dict[str, str]) -> DialogueState:
        if not raw:
            return cls()
        return cls(state=raw.get("state", IDLE), persona=raw.get("persona", ""),
                   pending_emotion=raw.get("pending_emotion", ""),
                   pending_score=float(raw.get("pending_score", 0) or 0),
                   pending_text=raw.get("pending_text", ""),
                   total_turns=int(raw.get("total_turns", 0) or 0),
                   updated_ms=int(raw.get("updated_ms", 0) or 0))


@dataclass(frozen=True, slots=True)
class Conversation:
    conversation_id: str
    turns: tuple[StoredTurn, ...]
    dialogue: DialogueState

    @property
    def exists(self) -> bool:
        return bool(self.turns) or self.dialogue.total_turns > 0
