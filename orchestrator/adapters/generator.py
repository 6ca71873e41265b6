"""The generator port over gRPC (`emotion_chat.v1.GeneratorService`, streaming)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from emotion_chat.serving.tracing import outgoing_metadata
from emotion_chat.v1 import generator_pb2 as pb
from emotion_chat.v1 import generator_pb2_grpc as pb_grpc
from orchestrator.adapters.grpc_channel import timeout_for, upstream_error
from orchestrator.core.ports import ReplyRequest
from orchestrator.core.types import GenerationParams, Role

ROLES = {Role.USER: pb.ROLE_USER, Role.ASSISTANT: pb.ROLE_ASSISTANT}


def params_message(params: GenerationParams) -> pb.GenerationParams:
    return pb.GenerationParams(max_new_tokens=params.max_new_tokens,
                               temperature=params.temperature, top_p=params.top_p,
                               seed=params.seed)


def request_message(request: ReplyRequest) -> pb.GenerateRequest:
    return pb.GenerateRequest(
        history=[pb.Turn(role=ROLES[t.role], text=t.text, emotion=t.emotion)
                 for t in request.history],
        text=request.text, emotion=pb.Emotion(label=request.emotion, score=request.score),
        persona=request.persona, params=params_message(request.params),
        conversation_id=request.conversation_id, avoid_replies=list(request.avoid),
        situation=request.situation, who=request.who, what=request.what,
        sensitive=request.sensitive, question=request.question)


class GrpcGenerator:
    SERVICE = "emotion_chat.v1.GeneratorService"

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = pb_grpc.GeneratorServiceStub(channel)
        self._timeout_s = timeout_s

    async def stream(self, request: ReplyRequest, deadline: float | None = None
                     ) -> AsyncIterator[str]:
        call = self._stub.GenerateStream(request_message(request),
                                         timeout=timeout_for(self._timeout_s, deadline),
                                         metadata=outgoing_metadata())
        try:
            async for event in call:
                if event.HasField("delta"):
                    yield event.delta
        except grpc.aio.AioRpcError as exc:
            raise upstream_error("the generator", exc) from exc
        finally:
            call.cancel()  # a no-op once finished; stops the generator when we stop early
