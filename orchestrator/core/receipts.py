"""Idempotent requests: the answer a request stored under its client's `request_id`.

A client whose call failed after the turn was stored (its connection dropped, the replica
died between the commit and the answer) cannot tell whether it was; it retries with the
same `request_id`. The turn is then not run again: the stored answer is returned and
nothing new is stored. The receipt is written by the same atomic commit as the turn, so the
turn and its receipt exist together or not at all, and it lives as long as the
conversation (its TTL; the last `MAX_RECEIPTS` of a conversation).

Reusing an id for a different request is a client bug; it is answered FAILED_PRECONDITION
rather than with the other request's reply.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from emotion_chat.errors import PreconditionError
from orchestrator.core.types import (
    Degradation,
    DetectedEmotion,
    DialogueState,
    ReplyKind,
    Track,
    TurnResult,
)

MAX_RECEIPTS = 256
"""Receipts kept per conversation (oldest dropped first): far more than a client retries."""


class Operation(enum.Enum):
    """What a request id was used for (an id names one operation, not one per kind)."""

    TURN = "turn"
    REGENERATE = "regenerate"
    SWITCH_PERSONA = "switch_persona"


def fingerprint(operation: Operation, *parts: str) -> str:
    """A digest of what the request asked (its operation, text, persona...), to tell a retry
    from an id reused for another request."""
    digest = hashlib.sha256(operation.value.encode())
    for part in parts:
        digest.update(b"\x00" + part.encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Receipt:
    request_id: str
    fingerprint: str
    result: TurnResult

    def answer(self, fingerprint: str) -> TurnResult:
        """The stored result for a retry of the same request (timings left to the caller)."""
        if fingerprint != self.fingerprint:
            raise PreconditionError(
                f"request_id {self.request_id!r} was already used for a different request "
                "in this conversation; use a new id for a new request")
        return replace(self.result, timings={}, degraded=list(self.result.degraded),
                       replayed=True)

    def to_json(self) -> str:
        r = self.result
        raw: dict[str, Any] = {
            "request_id": self.request_id, "fingerprint": self.fingerprint,
            "conversation_id": r.conversation_id, "reply": r.reply,
            "emotion": [r.emotion.label, r.emotion.score, [list(t) for t in r.emotion.top]],
            "persona": r.persona, "kind": r.kind.value, "state": r.state.value,
            "turn_index": r.turn_index, "degraded": [d.value for d in r.degraded],
            "attempts": r.attempts, "reply_emotion": r.reply_emotion,
            "consistent": r.consistent, "regenerated": r.regenerated,
            "situation": r.situation, "tracks": [asdict(t) for t in r.tracks]}
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Receipt:
        data = json.loads(raw)
        label, score, top = data["emotion"]
        result = TurnResult(
            data["conversation_id"], data["reply"],
            DetectedEmotion(label, score, tuple((t[0], t[1]) for t in top)),
            data["persona"], ReplyKind(data["kind"]), DialogueState(data["state"]),
            data["turn_index"], degraded=[Degradation(d) for d in data["degraded"]],
            attempts=data["attempts"], reply_emotion=data["reply_emotion"],
            consistent=data["consistent"], regenerated=data["regenerated"],
            situation=data["situation"],
            tracks=tuple(Track(**{**t, "emotions": tuple(t["emotions"])})
                         for t in data["tracks"]))
        return cls(data["request_id"], data["fingerprint"], result)
