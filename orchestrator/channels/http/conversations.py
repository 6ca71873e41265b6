"""REST routes: conversations, their messages (JSON or server-sent events), regenerate,
personas, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from starlette.responses import Response

from emotion_chat.errors import ErrorCode
from orchestrator.channels.http.context import context_of
from orchestrator.channels.http.converters import (
    conversation_json,
    json_response,
    params_of,
    persona_json,
    turn_json,
)
from orchestrator.channels.http.errors import error_response
from orchestrator.channels.http.schemas import (
    ConversationOut,
    DeletedOut,
    ErrorOut,
    InfoOut,
    MessageIn,
    PersonasOut,
    RegenerateIn,
    TurnOut,
)
from orchestrator.channels.http.sse import EVENT_STREAM, event_response, wants_events
from orchestrator.core.types import Channel, RegenerateRequest, TurnRequest

# What a conversation keeps (the privacy notice shows it).
STORED = ["messages", "detected emotions", "persona", "dialogue state"]
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 404, 409, 429, 503, 504)}
TURN_RESPONSES: dict[int | str, dict[str, Any]] = {**ERRORS, 200: {"content": {EVENT_STREAM: {
    "schema": {"type": "string", "description":
               "with Accept: text/event-stream, events `emotion`, `delta`…, then `result` "
               "(or `error`), each `data` a JSON object"}}}}}
Accept = Annotated[str | None, Header()]
# The IETF draft's header for idempotent POSTs; a request_id in the body takes precedence.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

router = APIRouter(prefix="/v1", tags=["conversations"])
health = APIRouter(tags=["health"])


@router.post("/conversations/{conversation_id}/messages", response_model=TurnOut,
             responses=TURN_RESPONSES, summary="Send a message: one chat turn")
async def post_message(request: Request, conversation_id: str, message: MessageIn,
                       accept: Accept = None, idempotency_key: IdempotencyKey = None
                       ) -> Response:
    turn = TurnRequest(conversation_id, message.text, message.persona,
                       params_of(message.params), Channel.HTTP,
                       message.request_id or idempotency_key)
    core = context_of(request).core()
    if wants_events(accept):
        return event_response(core.open_turn(turn))
    return json_response(turn_json(await core.chat(turn)))


@router.post("/conversations/{conversation_id}/regenerate", response_model=TurnOut,
             responses=TURN_RESPONSES, summary="Replace the last bot reply with a new one")
async def regenerate(request: Request, conversation_id: str,
                     body: Annotated[RegenerateIn | None, Body()] = None,
                     accept: Accept = None, idempotency_key: IdempotencyKey = None
                     ) -> Response:
    body = body or RegenerateIn()
    turn = RegenerateRequest(conversation_id, body.persona, params_of(body.params),
                             Channel.HTTP, body.request_id or idempotency_key)
    core = context_of(request).core()
    if wants_events(accept):
        return event_response(core.open_regenerate(turn))
    return json_response(turn_json(await core.regenerate(turn)))


@router.get("/conversations/{conversation_id}", response_model=ConversationOut,
            responses=ERRORS, summary="Everything stored for a conversation")
async def get_conversation(request: Request, conversation_id: str) -> Response:
    core = context_of(request).core()
    return json_response(conversation_json(await core.conversation(conversation_id)))


@router.delete("/conversations/{conversation_id}", response_model=DeletedOut,
               responses=ERRORS, summary="Erase a conversation (history, state, lock)")
async def delete_conversation(request: Request, conversation_id: str) -> Response:
    core = context_of(request).core()
    return json_response({"deleted": await core.delete(conversation_id)})


@router.get("/personas", response_model=PersonasOut, summary="The personas the bot speaks as")
async def personas(request: Request) -> Response:
    registry = context_of(request).personas
    return json_response({"personas": [persona_json(p) for p in registry],
                          "default": registry.default})


@router.get("/info", response_model=InfoOut,
            summary="What is stored, for how long, and whether a token is needed")
async def info(request: Request) -> Response:
    settings = context_of(request).settings
    return json_response({
        "conversation_ttl_s": settings.conversation_ttl_s,
        "max_stored_turns": settings.max_stored_turns,
        "store": settings.store_url.split(":", 1)[0].replace("rediss", "redis"),
        "stored": STORED, "auth": bool(context_of(request).auth)})


@health.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@health.get("/readyz", summary="Readiness: downstream clients and store are set up",
            responses={503: {"model": ErrorOut}})
async def readyz(request: Request) -> Response:
    if context_of(request).serving():
        return json_response({"status": "serving"})
    return error_response(ErrorCode.UNAVAILABLE, "not serving: starting or draining")
