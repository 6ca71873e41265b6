"""The chat core's domain types ↔ JSON: the HTTP front door's only conversions."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from emotion_chat.personas import Persona
from emotion_chat.taxonomy import core_emotion
from orchestrator.channels.http.schemas import ParamsIn
from orchestrator.core.conversation import Conversation
from orchestrator.core.types import DetectedEmotion, GenerationParams, Track, TurnResult

JSON = "application/json"
# Every stage is always present (0 when it did not run), as in the gRPC StageTimings.
STAGES = ("lock", "load", "classify", "generate", "consistency", "recommend", "save", "total",
          "overhead")


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(value: Any, status: int = 200) -> Response:
    return Response(dumps(value), status, media_type=JSON)


def params_of(params: ParamsIn | None) -> GenerationParams:
    if params is None:
        return GenerationParams()
    return GenerationParams(params.max_new_tokens, params.temperature, params.top_p, params.seed)


def emotion_json(emotion: DetectedEmotion) -> dict[str, Any]:
    return {"label": emotion.label, "score": round(emotion.score, 6),
            "core": core_emotion(emotion.label) if emotion.known else "",
            "top": [{"label": label, "score": round(score, 6)} for label, score in emotion.top]}


def turn_json(result: TurnResult) -> dict[str, Any]:
    return {
        "conversation_id": result.conversation_id, "reply": result.reply,
        "emotion": emotion_json(result.emotion), "persona": result.persona,
        "kind": result.kind.value, "state": result.state.value,
        "degraded": [d.value for d in result.degraded], "turn_index": result.turn_index,
        "regenerated": result.regenerated, "replayed": result.replayed,
        "generation_attempts": result.attempts,
        "reply_emotion": result.reply_emotion, "emotion_consistent": result.consistent,
        "situation": result.situation,
        "tracks": [track_json(t) for t in result.tracks],
        "timings": {f"{stage}_ms": round(result.timings.get(stage, 0.0) * 1e3, 3)
                    for stage in STAGES},
    }


def track_json(track: Track) -> dict[str, Any]:
    return {"id": track.id, "title": track.title, "artist": track.artist,
            "emotions": list(track.emotions), "duration_s": round(track.duration_s, 2),
            "mime_type": track.mime_type, "licence": track.licence,
            "distance": round(track.distance, 4),
            "audio_url": f"/v1/tracks/{track.id}/audio"}


def conversation_json(conversation: Conversation) -> dict[str, Any]:
    s = conversation.state
    return {
        "conversation_id": conversation.conversation_id,
        "turns": [{"role": t.role.value, "text": t.text, "emotion": t.emotion,
                   "emotion_core": core_emotion(t.emotion) if t.emotion else "",
                   "emotion_score": round(t.emotion_score, 6), "persona": t.persona,
                   "kind": t.kind.value if t.kind else "",
                   "channel": t.channel.value if t.channel else "",
                   "degraded": [d.value for d in t.degraded], "crisis": t.crisis,
                   "created_ms": t.created_ms}
                  for t in conversation.turns],
        "state": s.state.value, "persona": s.persona, "pending_emotion": s.pending_emotion,
        "total_turns": s.total_turns, "updated_ms": s.updated_ms,
    }


def persona_json(persona: Persona) -> dict[str, str]:
    return {"id": persona.id, "name": persona.name, "description": persona.description,
            "tagline": persona.tagline, "color": persona.color, "emoji": persona.emoji,
            "embodies": persona.embodies}
