"""The gRPC front door: a thin adapter (convert → chat core → convert)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import grpc

from emotion_chat.personas import PersonaRegistry
from emotion_chat.servicing import deadline_of
from emotion_chat.v1 import generator_pb2 as gen_pb
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc
from orchestrator.channels.grpc.converters import (
    conversation_message,
    event_message,
    persona_message,
    regenerate_request,
    response_message,
    turn_request,
)
from orchestrator.core.chat import ChatCore


class ChatServicer(pb_grpc.ChatServiceServicer):
    def __init__(self, core: Callable[[], ChatCore], personas: PersonaRegistry) -> None:
        self._core = core
        self._personas = personas

    async def Chat(self, request: pb.ChatRequest,
                   context: grpc.aio.ServicerContext) -> pb.ChatResponse:
        return response_message(
            await self._core().chat(turn_request(request, deadline_of(context))))

    async def ChatStream(self, request: pb.ChatRequest, context: grpc.aio.ServicerContext
                         ) -> AsyncIterator[pb.ChatEvent]:
        async with self._core().open_turn(turn_request(request, deadline_of(context))) as turn:
            async for event in turn:
                yield event_message(event)

    async def Regenerate(self, request: pb.RegenerateRequest,
                         context: grpc.aio.ServicerContext) -> pb.ChatResponse:
        return response_message(
            await self._core().regenerate(regenerate_request(request, deadline_of(context))))

    async def GetConversation(self, request: pb.GetConversationRequest,
                              context: grpc.aio.ServicerContext) -> pb.Conversation:
        return conversation_message(await self._core().conversation(request.conversation_id))

    async def DeleteConversation(self, request: pb.DeleteConversationRequest,
                                 context: grpc.aio.ServicerContext
                                 ) -> pb.DeleteConversationResponse:
        return pb.DeleteConversationResponse(
            deleted=await self._core().delete(request.conversation_id))

    async def ListPersonas(self, request: gen_pb.ListPersonasRequest,
                           context: grpc.aio.ServicerContext) -> gen_pb.ListPersonasResponse:
        return gen_pb.ListPersonasResponse(
            personas=[persona_message(p) for p in self._personas],
            default_persona=self._personas.default)
