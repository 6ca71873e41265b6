"""`POST /kakao/skill` and `POST /kakao/skill/{persona}` (one channel per persona).

Every payload becomes one request to the chat core: a message turn, or a command from a
quick reply ("다시 답해줘" regenerates; "기쁨이랑 얘기하기" switches persona on the shared
channel). OpenBuilder waits 5 s, so a turn gets `kakao_reply_budget_s`:
- with a callback URL, a turn not done in time is answered at once with `useCallback` and
  its result is POSTed to the URL when it is done;
- without one, the turn itself answers from the offline bank when the generator is not done
  by then (flagged degraded), so the reply is always on time and stored as given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from emotion_chat.errors import BusyError, NotFoundError, PreconditionError
from emotion_chat.personas import Persona, PersonaRegistry
from orchestrator.channels.http.context import HttpContext, context_of
from orchestrator.channels.http.converters import json_response
from orchestrator.channels.kakao.callback import CallbackSender
from orchestrator.channels.kakao.skill import (
    SkillPayload,
    callback_ack,
    conversation_id,
    crisis_response,
    music_card,
    quick_reply,
    skill_response,
)
from orchestrator.core.rules import normalise
from orchestrator.core.types import (
    Channel,
    RegenerateRequest,
    ReplyKind,
    TurnRequest,
    TurnResult,
)

log = logging.getLogger(__name__)

REGENERATE = "다시 답해줘"
_REGENERATE_WORDS = frozenset({"다시답해줘", "다시답해", "다른답해줘", "다시말해줘"})
_SWITCH_REST = re.compile(r"^(이랑|랑|하고|와|과)(얘기|이야기|대화)(하기|할래|하자|해줘)?$")
WAITING = "생각하는 중이에요… 잠시만요!"
NOTHING_TO_REDO = "다시 답할 말이 아직 없어요. 먼저 이야기를 들려줄래요?"
BUSY = "앞의 말에 아직 답하는 중이에요. 조금 뒤에 다시 보내 줄래요?"
# Past the budget a turn without a callback answers from the bank; this is the margin for
# storing it before OpenBuilder's 5 s are up.
COMMIT_MARGIN_S = 0.8

router = APIRouter(prefix="/kakao", tags=["kakao"])


def switch_target(utterance: str, personas: PersonaRegistry) -> Persona | None:
    """The persona of "기쁨이랑 얘기하기" and its variants, if the message is one."""
    said = normalise(utterance)
    for persona in personas:
        for name in (normalise(persona.name), persona.id.lower()):
            if said.startswith(name) and _SWITCH_REST.match(said[len(name):]):
                return persona
    return None


def with_particle(name: str) -> str:
    """"기쁨이랑", "빙봉이랑": 이랑 after a final consonant (받침), 랑 after a vowel."""
    last = ord(name[-1]) - 0xAC00
    return name + ("이랑" if 0 <= last < 11172 and last % 28 else "랑")


def quick_replies(result: TurnResult, personas: PersonaRegistry, shared: bool
                  ) -> list[dict[str, str]]:
    if result.kind is ReplyKind.CONFIRM_QUESTION:
        replies = [quick_reply("응"), quick_reply("아니")]
    elif result.kind in (ReplyKind.GENERATED, ReplyKind.FALLBACK):
        replies = [quick_reply(REGENERATE)]
    else:
        replies = []
    if shared:
        replies += [quick_reply(f"{with_particle(p.name)} 얘기하기") for p in personas
                    if p.id != result.persona]
    return replies


def sender_of(request: Request) -> CallbackSender:
    sender: CallbackSender = request.app.state.kakao_callbacks
    return sender


@router.post("/skill", summary="Kakao i OpenBuilder skill (persona chosen in the chat)")
async def skill(request: Request, payload: SkillPayload) -> Response:
    return await _answer(request, payload, "")


@router.post("/skill/{persona}", summary="Kakao i OpenBuilder skill of one persona's channel")
async def persona_skill(request: Request, persona: str, payload: SkillPayload) -> Response:
    context = context_of(request)
    return await _answer(request, payload, context.personas.resolve(persona).id)


async def _answer(request: Request, payload: SkillPayload, persona: str) -> Response:
    received = time.monotonic()
    context = context_of(request)
    settings = context.settings
    user_request = payload.userRequest
    callback = user_request.callbackUrl or None
    cid = conversation_id(payload.bot.id, user_request.user.id)
    budget_end = received + settings.kakao_reply_budget_s
    # With a callback the turn may run for the callback's window; without, the bank answers
    # at the budget's end.
    deadline = received + (settings.kakao_callback_window_s if callback
                           else settings.kakao_reply_budget_s + COMMIT_MARGIN_S)
    run = _command(context, payload, persona, cid, deadline,
                   None if callback else budget_end,
                   request.headers.get("idempotency-key") or None)
    how = Answering(context.personas, not persona, settings.public_url)
    turn = asyncio.ensure_future(run())
    try:
        done, _ = await asyncio.wait({turn}, timeout=max(0.0, (
            budget_end if callback else deadline) - time.monotonic()))
    except asyncio.CancelledError:
        turn.cancel()
        raise
    if turn in done:
        return _response(turn, how)
    if callback is None:  # should not happen: the turn answers from the bank in time
        turn.cancel()
        return json_response(skill_response(BUSY))
    sender_of(request).spawn(_deliver(sender_of(request), turn, callback,
                                      received + settings.kakao_callback_window_s, how))
    return json_response(callback_ack(WAITING))


def _command(context: HttpContext, payload: SkillPayload, persona: str, cid: str,
             deadline: float, reply_by: float | None, request_id: str | None
             ) -> Callable[[], Awaitable[TurnResult]]:
    """The turn the utterance asks for. `request_id`: an Idempotency-Key header (a proxy
    that retries a skill call; OpenBuilder itself sends none)."""
    core = context.core()
    utterance = payload.userRequest.utterance
    if normalise(utterance) in _REGENERATE_WORDS:
        return lambda: core.regenerate(RegenerateRequest(
            cid, persona, channel=Channel.KAKAO, request_id=request_id, deadline=deadline))
    target = None if persona else switch_target(utterance, context.personas)
    if target is not None:
        return lambda: core.switch_persona(TurnRequest(
            cid, utterance, target.id, channel=Channel.KAKAO, request_id=request_id,
            deadline=deadline))
    request = TurnRequest(cid, utterance, persona, channel=Channel.KAKAO, deadline=deadline,
                          reply_by=reply_by, request_id=request_id)
    core.prepare(request)  # bad input: 400 now, before anything runs
    return lambda: core.chat(request)


@dataclass(frozen=True, slots=True)
class Answering:
    """How a turn's result becomes a skill response."""

    personas: PersonaRegistry
    shared: bool
    """The default skill (persona chosen in the conversation), not a persona's own."""
    public_url: str | None
    """The orchestrator's public base URL, for the songs' links."""


def answer(result: TurnResult, how: Answering) -> dict[str, Any]:
    if result.kind is ReplyKind.CRISIS:
        return crisis_response(result.reply)
    card = music_card(result.tracks, how.public_url) if result.tracks else None
    return skill_response(result.reply, quick_replies(result, how.personas, how.shared), card)


def _response(turn: asyncio.Future[TurnResult], how: Answering) -> Response:
    try:
        result = turn.result()
    except (BusyError, PreconditionError, NotFoundError) as exc:
        return json_response(skill_response(_apology(exc)))
    return json_response(answer(result, how))


def _apology(exc: Exception) -> str:
    """What the person reads when a command cannot be carried out now."""
    return BUSY if isinstance(exc, BusyError) else NOTHING_TO_REDO


async def _deliver(sender: CallbackSender, turn: asyncio.Future[TurnResult], url: str,
                   until: float, how: Answering) -> None:
    try:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(turn), max(0.0, until - time.monotonic()))
        if not turn.done():
            turn.cancel()
            log.warning("kakao turn not done within the callback window; dropped")
            return
        body: dict[str, Any]
        try:
            body = answer(turn.result(), how)
        except (BusyError, PreconditionError, NotFoundError) as exc:
            body = skill_response(_apology(exc))
        except Exception as exc:
            log.warning("kakao turn failed: %s", exc)
            body = skill_response("미안해요, 지금은 답하기 어려워요. 잠시 후 다시 말해 줄래요?")
        await sender.post(url, body, until)
    except asyncio.CancelledError:
        turn.cancel()
        raise
