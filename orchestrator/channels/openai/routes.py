"""`POST /v1/chat/completions` (streaming and not) and `GET /v1/models`.

The last user message is the turn; earlier messages are ignored because the conversation's
history lives on the server (so does the dialogue state: a confirm question is answered by
the next request). The conversation id is the request's `user` field or the
`X-Conversation-Id` header; the persona is the `model`. The detected emotion, the reply kind
and the rest of the turn ride in an extra `emotion_chat` field.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, assert_never

from fastapi import APIRouter, Header, Request
from starlette.responses import Response, StreamingResponse

from emotion_chat.errors import EmotionChatError, InvalidInputError
from orchestrator.channels.http.context import context_of
from orchestrator.channels.http.converters import dumps, emotion_json, json_response, turn_json
from orchestrator.channels.http.errors import error_body
from orchestrator.channels.http.sse import EVENT_STREAM, HEADERS
from orchestrator.channels.openai.schemas import ChatCompletionRequest, ChatMessage
from orchestrator.core.stream import TurnStream
from orchestrator.core.types import (
    Channel,
    EmotionDetected,
    GenerationParams,
    ReplyDelta,
    TurnCompleted,
    TurnRequest,
)

DEFAULT_MODEL = "emotion-chat"

router = APIRouter(prefix="/v1", tags=["openai-compatible"])


def _text_of(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    if isinstance(message.content, list):
        return "".join(part.text or "" for part in message.content if part.type == "text")
    return ""


def turn_request(body: ChatCompletionRequest, conversation_header: str | None) -> TurnRequest:
    conversation_id = body.user or conversation_header
    if not conversation_id:
        raise InvalidInputError("set `user` (the conversation id) or the X-Conversation-Id "
                                "header: the conversation lives on the server")
    if not body.messages or body.messages[-1].role != "user":
        raise InvalidInputError("the last message must be the user's (role `user`)")
    if body.n not in (None, 1):
        raise InvalidInputError(f"n={body.n}: only one choice is generated")
    persona = "" if body.model in ("", DEFAULT_MODEL) else body.model
    params = GenerationParams(body.max_completion_tokens or body.max_tokens or 0,
                              body.temperature, body.top_p, body.seed)
    return TurnRequest(conversation_id, _text_of(body.messages[-1]), persona, params,
                       Channel.OPENAI)


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


@router.post("/chat/completions", summary="OpenAI-compatible chat completion (one turn)")
async def chat_completions(request: Request, body: ChatCompletionRequest,
                           x_conversation_id: Annotated[str | None, Header()] = None
                           ) -> Response:
    turn = turn_request(body, x_conversation_id)
    core = context_of(request).core()
    if body.stream:
        return StreamingResponse(_chunks(core.open_turn(turn), _completion_id()),
                                 media_type=EVENT_STREAM, headers=HEADERS)
    result = await core.chat(turn)
    return json_response({
        "id": _completion_id(), "object": "chat.completion", "created": int(time.time()),
        "model": result.persona, "system_fingerprint": None,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.reply},
                     "finish_reason": "stop", "logprobs": None}],
        "emotion_chat": turn_json(result)})


def _chunk(completion_id: str, model: str, delta: dict[str, Any], finish: str | None = None,
           extra: dict[str, Any] | None = None) -> bytes:
    chunk: dict[str, Any] = {
        "id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()),
        "model": model, "system_fingerprint": None,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
    if extra is not None:
        chunk["emotion_chat"] = extra
    return b"data: " + dumps(chunk) + b"\n\n"


async def _chunks(stream: TurnStream, completion_id: str) -> AsyncIterator[bytes]:
    model = DEFAULT_MODEL
    async with stream:
        try:
            async for event in stream:
                match event:
                    case EmotionDetected(emotion):
                        yield _chunk(completion_id, model, {"role": "assistant", "content": ""},
                                     extra={"emotion": emotion_json(emotion)})
                    case ReplyDelta(text):
                        yield _chunk(completion_id, model, {"content": text})
                    case TurnCompleted(result):
                        yield _chunk(completion_id, result.persona, {}, "stop",
                                     turn_json(result))
                    case _:
                        assert_never(event)
        except EmotionChatError as exc:
            yield b"data: " + dumps(error_body(exc.code, exc.message)) + b"\n\n"
    yield b"data: [DONE]\n\n"


@router.get("/models", summary="The personas, as OpenAI-compatible models")
async def models(request: Request) -> Response:
    registry = context_of(request).personas
    entries = [{"id": DEFAULT_MODEL, "object": "model", "created": 0,
                "owned_by": "emotion-chat"}]
    entries += [{"id": p.id, "object": "model", "created": 0, "owned_by": "emotion-chat",
                 "name": p.name, "description": p.description} for p in registry]
    return json_response({"object": "list", "data": entries})
