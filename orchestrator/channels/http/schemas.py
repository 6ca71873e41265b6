"""The HTTP front door's JSON bodies (also the OpenAPI schema at /openapi.json).

Requests are parsed with these models; range checks stay in the core's domain types, so an
out-of-range value gets the same message on every front door. Responses are written by
`converters.py`; the response models here document them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParamsIn(_Strict):
    max_new_tokens: int = Field(0, description="0 = the generator's default; at most 1024")
    temperature: float | None = Field(None, description="sampling temperature in [0, 2]")
    top_p: float | None = Field(None, description="nucleus sampling in (0, 1]")
    seed: int | None = Field(None, description="makes sampling reproducible")


class MessageIn(_Strict):
    text: str = Field(description="the user's message (at most max_text_chars characters)")
    persona: str = Field("", description="persona id or name; empty keeps the conversation's")
    params: ParamsIn | None = None
    request_id: str | None = Field(None, description="client id of this request")


class RegenerateIn(_Strict):
    persona: str = ""
    params: ParamsIn | None = None
    request_id: str | None = None


class EmotionScoreOut(BaseModel):
    label: str
    score: float


class EmotionOut(BaseModel):
    label: str = Field(description="top label; empty when unknown")
    score: float
    core: str = Field(description="the label's core emotion (행복, 불안, 슬픔, 당황, 상처, "
                      "분노, 중립); empty when unknown")
    top: list[EmotionScoreOut]


class TrackOut(BaseModel):
    id: str
    title: str
    artist: str
    emotions: list[str] = Field(description="the catalogue's emotion tags (core emotions)")
    duration_s: float
    mime_type: str
    licence: str
    distance: float = Field(description="similar tracks: distance to the track asked about")
    audio_url: str = Field(description="the audio, with range requests (GET)")


class TracksOut(BaseModel):
    tracks: list[TrackOut]


class TurnOut(BaseModel):
    conversation_id: str
    reply: str
    emotion: EmotionOut
    persona: str
    kind: str = Field(description="crisis, rule, generated, confirm_question or fallback")
    state: str = Field(description="dialogue state after the turn: idle or confirm_emotion")
    degraded: list[str]
    turn_index: int
    regenerated: bool
    replayed: bool = Field(False, description="the stored answer to an earlier request with "
                           "the same request_id (a retry): nothing was run or stored again")
    generation_attempts: int
    reply_emotion: str
    emotion_consistent: bool
    situation: str = Field(description="what the conversation is about now (pet_loss, exam, "
                           "money, food, ...); empty if unknown")
    tracks: list[TrackOut] = Field(description="songs for the reply's emotion (generated "
                                   "turns, when a recommender is configured)")
    timings: dict[str, float] = Field(description="milliseconds per stage")


class StoredTurnOut(BaseModel):
    role: str
    text: str
    emotion: str
    emotion_core: str
    emotion_score: float
    persona: str
    kind: str
    channel: str
    degraded: list[str]
    crisis: bool
    created_ms: int


class ConversationOut(BaseModel):
    conversation_id: str
    turns: list[StoredTurnOut]
    state: str
    persona: str
    pending_emotion: str
    total_turns: int
    updated_ms: int


class DeletedOut(BaseModel):
    deleted: bool


class PersonaOut(BaseModel):
    id: str
    name: str
    description: str
    tagline: str = Field(description="one line in Korean")
    color: str
    emoji: str
    embodies: str


class InfoOut(BaseModel):
    conversation_ttl_s: int = Field(description="an idle conversation is erased after this")
    max_stored_turns: int
    store: str = Field(description="memory or redis")
    stored: list[str] = Field(description="what is kept per conversation")
    auth: bool = Field(description="whether a bearer token is required")


class PersonasOut(BaseModel):
    personas: list[PersonaOut]
    default: str


class ErrorDetail(BaseModel):
    code: str = Field(description="invalid_argument, not_found, aborted, ...")
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail
