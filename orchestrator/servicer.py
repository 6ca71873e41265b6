"""Thin gRPC adapter over ChatPipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import grpc

from emotion_chat.personas import PersonaRegistry
from emotion_chat.servicing import deadline_of
from emotion_chat.v1 import generator_pb2 as gen_pb
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc
from orchestrator.pipeline import (
    CONFIRM_QUESTION,
    FALLBACK,
    GENERATED,
    RULE,
    ChatPipeline,
    DetectedEmotion,
    TurnRequest,
    TurnResult,
)
from orchestrator.state import CONFIRM_EMOTION, IDLE, Conversation

KINDS = {RULE: pb.REPLY_KIND_RULE, GENERATED: pb.REPLY_KIND_GENERATED,
         CONFIRM_QUESTION: pb.REPLY_KIND_CONFIRM_QUESTION, FALLBACK: pb.REPLY_KIND_FALLBACK}
STATES = {IDLE: pb.DIALOGUE_STATE_IDLE, CONFIRM_EMOTION: pb.DIALOGUE_STATE_CONFIRM_EMOTION}
ROLES = {"user": gen_pb.ROLE_USER, "assistant": gen_pb.ROLE_ASSISTANT}


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
            overhead_ms=t.get("overhead", 0)),
        degraded=result.degraded, generation_attempts=result.attempts,
        reply_emotion=result.reply_emotion, emotion_consistent=result.consistent,
        turn_index=result.turn_index)


def conversation_message(conversation: Conversation) -> pb.Conversation:
    d = conversation.dialogue
    return pb.Conversation(
        conversation_id=conversation.conversation_id,
        turns=[pb.StoredTurn(role=ROLES[t.role], text=t.text, emotion=t.emotion,
                             emotion_score=t.emotion_score, persona=t.persona,
                             kind=KINDS.get(t.kind, pb.REPLY_KIND_UNSPECIFIED),
                             created_unix_ms=t.created_ms) for t in conversation.turns],
        state=STATES.get(d.state, pb.DIALOGUE_STATE_IDLE), persona=d.persona,
        pending_emotion=d.pending_emotion, total_turns=d.total_turns,
        updated_unix_ms=d.updated_ms)


class ChatServicer(pb_grpc.ChatServiceServicer):
    def __init__(self, pipeline: Callable[[], ChatPipeline], personas: PersonaRegistry) -> None:
        self._pipeline = pipeline
        self._personas = personas

    def _request(self, request: pb.ChatRequest, context: grpc.aio.ServicerContext
                 ) -> TurnRequest:
        return self._pipeline().prepare(request.conversation_id, request.text, request.persona,
                                        request.params, deadline_of(context))

    async def Chat(self, request: pb.ChatRequest,
                   context: grpc.aio.ServicerContext) -> pb.ChatResponse:
        turn = self._request(request, context)
        async for event in self._pipeline().turn(turn):
            if isinstance(event, TurnResult):
                return response_message(event)
        raise AssertionError("turn ended without a result")

    async def ChatStream(self, request: pb.ChatRequest, context: grpc.aio.ServicerContext
                         ) -> AsyncIterator[pb.ChatEvent]:
        turn = self._request(request, context)
        async for event in self._pipeline().turn(turn):
            if isinstance(event, TurnResult):
                yield pb.ChatEvent(done=response_message(event))
            elif isinstance(event, DetectedEmotion):
                yield pb.ChatEvent(emotion=emotion_message(event))
            else:
                yield pb.ChatEvent(delta=event)

    async def GetConversation(self, request: pb.GetConversationRequest,
                              context: grpc.aio.ServicerContext) -> pb.Conversation:
        return conversation_message(
            await self._pipeline().conversation(request.conversation_id))

    async def DeleteConversation(self, request: pb.DeleteConversationRequest,
                                 context: grpc.aio.ServicerContext
                                 ) -> pb.DeleteConversationResponse:
        return pb.DeleteConversationResponse(
            deleted=await self._pipeline().delete(request.conversation_id))

    async def ListPersonas(self, request: gen_pb.ListPersonasRequest,
                           context: grpc.aio.ServicerContext) -> gen_pb.ListPersonasResponse:
        return gen_pb.ListPersonasResponse(
            personas=[gen_pb.Persona(id=p.id, name=p.name, description=p.description,
                                     embodies=p.embodies) for p in self._personas],
            default_persona=self._personas.default)
