"""Server-sent events of a turn: `emotion`, `delta`…, `result`, or `error`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, assert_never

from starlette.responses import StreamingResponse

from emotion_chat.errors import EmotionChatError, ErrorCode
from orchestrator.channels.http.converters import dumps, emotion_json, turn_json
from orchestrator.channels.http.errors import error_body
from orchestrator.core.stream import TurnStream
from orchestrator.core.types import EmotionDetected, ReplyDelta, TurnCompleted

log = logging.getLogger(__name__)

EVENT_STREAM = "text/event-stream"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def wants_events(accept: str | None) -> bool:
    return bool(accept) and EVENT_STREAM in accept  # type: ignore[operator]


def sse(event: str, data: Any) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + dumps(data) + b"\n\n"


async def turn_events(stream: TurnStream) -> AsyncIterator[bytes]:
    async with stream:
        try:
            async for event in stream:
                match event:
                    case EmotionDetected(emotion):
                        yield sse("emotion", emotion_json(emotion))
                    case ReplyDelta(text):
                        yield sse("delta", {"text": text})
                    case TurnCompleted(result):
                        yield sse("result", turn_json(result))
                    case _:
                        assert_never(event)
        except EmotionChatError as exc:
            yield sse("error", error_body(exc.code, exc.message))
        except Exception:
            log.exception("a streamed turn failed with an unexpected error")
            yield sse("error", error_body(ErrorCode.INTERNAL, "internal error"))


def event_response(stream: TurnStream) -> StreamingResponse:
    return StreamingResponse(turn_events(stream), media_type=EVENT_STREAM, headers=HEADERS)
