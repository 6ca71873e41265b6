"""Protobuf ↔ the chat core's domain types: the gRPC front door's only conversions."""

from __future__ import annotations

from typing import assert_never

from emotion_chat.personas import Persona
from emotion_chat.v1 import generator_pb2 as gen_pb
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import recommender_pb2 as rec_pb
from orchestrator.core.conversation import Conversation
from orchestrator.core.types import (
    Channel,
    DetectedEmotion,
    DialogueState,
    EmotionDetected,
    GenerationParams,
    RegenerateRequest,
    ReplyDelta,
    ReplyKind,
    Role,
    Track,
    TurnCompleted,
    TurnEvent,
    TurnRequest,
    TurnResult,
)

KINDS = {ReplyKind.CRISIS: pb.REPLY_KIND_CRISIS, ReplyKind.RULE: pb.REPLY_KIND_RULE,
         ReplyKind.GENERATED: pb.REPLY_KIND_GENERATED,
         ReplyKind.CONFIRM_QUESTION: pb.REPLY_KIND_CONFIRM_QUESTION,
         ReplyKind.FALLBACK: pb.REPLY_KIND_FALLBACK}
STATES = {DialogueState.IDLE: pb.DIALOGUE_STATE_IDLE,
          DialogueState.CONFIRM_EMOTION: pb.DIALOGUE_STATE_CONFIRM_EMOTION}
ROLES = {Role.USER: gen_pb.ROLE_USER, Role.ASSISTANT: gen_pb.ROLE_ASSISTANT}


def params_of(message: gen_pb.GenerationParams) -> GenerationParams:
    return GenerationParams(
        max_new_tokens=message.max_new_tokens,
        temperature=message.temperature if message.HasField("temperature") else None,
        top_p=message.top_p if message.HasField("top_p") else None,
        seed=message.seed if message.HasField("seed") else None)


def turn_request(message: pb.ChatRequest, deadline: float | None) -> TurnRequest:
    return TurnRequest(message.conversation_id, message.text, message.persona,
                       params_of(message.params), Channel.GRPC, message.request_id or None,
                       deadline)


def regenerate_request(message: pb.RegenerateRequest, deadline: float | None
                       ) -> RegenerateRequest:
    return RegenerateRequest(message.conversation_id, message.persona,
                             params_of(message.params), Channel.GRPC,
                             message.request_id or None, deadline)


def emotion_message(emotion: DetectedEmotion) -> pb.DetectedEmotion:
    return pb.DetectedEmotion(label=emotion.label, score=emotion.score,
                              top=[pb.EmotionScore(label=label, score=score)
                                   for label, score in emotion.top])


def response_message(result: TurnResult) -> pb.ChatResponse:
    t = {k: v * 1e3 for k, v in result.timings.items()}
    return pb.ChatResponse(
        conversation_id=result.conversation_id, reply=result.reply,
        emotion=emotion_message(result.emotion), persona=result.persona,
        kind=KINDS[result.kind], state=STATES[result.state],
        timings=pb.StageTimings(
            lock_ms=t.get("lock", 0), load_ms=t.get("load", 0), classify_ms=t.get("classify", 0),
            generate_ms=t.get("generate", 0), consistency_ms=t.get("consistency", 0),
            save_ms=t.get("save", 0), total_ms=t.get("total", 0),
            overhead_ms=t.get("overhead", 0), recommend_ms=t.get("recommend", 0)),
        degraded=[d.value for d in result.degraded], generation_attempts=result.attempts,
        reply_emotion=result.reply_emotion, emotion_consistent=result.consistent,
        turn_index=result.turn_index, regenerated=result.regenerated,
        replayed=result.replayed,
        situation=result.situation, tracks=[track_message(t) for t in result.tracks])


def track_message(track: Track) -> rec_pb.Track:
    return rec_pb.Track(id=track.id, title=track.title, artist=track.artist,
                        emotions=list(track.emotions), duration_s=track.duration_s,
                        licence=track.licence, mime_type=track.mime_type,
                        distance=track.distance)


def event_message(event: TurnEvent) -> pb.ChatEvent:
    match event:
        case EmotionDetected(emotion):
            return pb.ChatEvent(emotion=emotion_message(emotion))
        case ReplyDelta(text):
            return pb.ChatEvent(delta=text)
        case TurnCompleted(result):
            return pb.ChatEvent(done=response_message(result))
        case _:
            assert_never(event)


def conversation_message(conversation: Conversation) -> pb.Conversation:
    s = conversation.state
    return pb.Conversation(
        conversation_id=conversation.conversation_id,
        turns=[pb.StoredTurn(role=ROLES[t.role], text=t.text, emotion=t.emotion,
                             emotion_score=t.emotion_score, persona=t.persona,
                             kind=KINDS[t.kind] if t.kind else pb.REPLY_KIND_UNSPECIFIED,
                             created_unix_ms=t.created_ms,
                             channel=t.channel.value if t.channel else "", crisis=t.crisis)
               for t in conversation.turns],
        state=STATES[s.state], persona=s.persona, pending_emotion=s.pending_emotion,
        total_turns=s.total_turns, updated_unix_ms=s.updated_ms)


def persona_message(persona: Persona) -> gen_pb.Persona:
    return gen_pb.Persona(id=persona.id, name=persona.name, description=persona.description,
                          embodies=persona.embodies)
