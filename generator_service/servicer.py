"""Thin gRPC adapter over GeneratorCore."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import grpc

from emotion_chat.servicing import deadline_of
from emotion_chat.serving import tracing
from emotion_chat.v1 import generator_pb2 as pb
from emotion_chat.v1 import generator_pb2_grpc as pb_grpc
from generator_service.backends.base import GenerationInput
from generator_service.core import GenerationResult, GeneratorCore

_ROLE_NAMES = {pb.ROLE_USER: "user", pb.ROLE_ASSISTANT: "assistant"}


def to_input(core: GeneratorCore, request: pb.GenerateRequest,
             context: grpc.aio.ServicerContext) -> GenerationInput:
    params = request.params
    if request.conversation_id:  # for the log lines of this RPC
        tracing.conversation_id.set(request.conversation_id)
    tracing.annotate({"emotion_chat.generator.backend": core.backend.name,
                      "emotion_chat.generator.model": core.backend.model_name,
                      "emotion_chat.conversation_id": request.conversation_id})
    return core.prepare(
        text=request.text,
        history=[(_ROLE_NAMES.get(t.role, "unspecified"), t.text, t.emotion)
                 for t in request.history],
        emotion=request.emotion.label, emotion_score=request.emotion.score,
        persona=request.persona, max_new_tokens=params.max_new_tokens,
        temperature=params.temperature if params.HasField("temperature") else None,
        top_p=params.top_p if params.HasField("top_p") else None,
        seed=params.seed if params.HasField("seed") else None,
        conversation_id=request.conversation_id, deadline=deadline_of(context),
        avoid_replies=list(request.avoid_replies), situation=request.situation,
        who=request.who, what=request.what, sensitive=request.sensitive,
        question=request.question)


def to_response(result: GenerationResult) -> pb.GenerateResponse:
    return pb.GenerateResponse(
        text=result.text, persona=result.persona, backend=result.backend, model=result.model,
        finish_reason=result.finish_reason,
        usage=pb.GenerationUsage(prompt_tokens=result.prompt_tokens,
                                 completion_tokens=result.completion_tokens),
        timings=pb.GeneratorTimings(time_to_first_token_ms=result.time_to_first_token_s * 1e3,
                                    total_ms=result.total_s * 1e3))


class GeneratorServicer(pb_grpc.GeneratorServiceServicer):
    def __init__(self, core: Callable[[], GeneratorCore]) -> None:
        self._core = core

    async def Generate(self, request: pb.GenerateRequest,
                       context: grpc.aio.ServicerContext) -> pb.GenerateResponse:
        core = self._core()
        return to_response(await core.generate(to_input(core, request, context)))

    async def GenerateStream(self, request: pb.GenerateRequest,
                             context: grpc.aio.ServicerContext
                             ) -> AsyncIterator[pb.GenerateStreamResponse]:
        core = self._core()
        async for item in core.stream(to_input(core, request, context)):
            if isinstance(item, GenerationResult):
                yield pb.GenerateStreamResponse(done=to_response(item))
            else:
                yield pb.GenerateStreamResponse(delta=item)

    async def ListPersonas(self, request: pb.ListPersonasRequest,
                           context: grpc.aio.ServicerContext) -> pb.ListPersonasResponse:
        personas = self._core().personas
        return pb.ListPersonasResponse(
            personas=[pb.Persona(id=p.id, name=p.name, description=p.description,
                                 embodies=p.embodies) for p in personas],
            default_persona=personas.default)
