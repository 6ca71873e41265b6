"""The offline backend: replies from the shipped bank per persona, core emotion and
situation (`emotion_chat.replies`), streamed word by word."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

from emotion_chat.personas import PersonaRegistry
from emotion_chat.replies import Query, ReplyBank, chunks, seed_for
from emotion_chat.situations import situation_of
from generator_service.backends.base import Completion, GenerationInput


def turn_seed(request: GenerationInput) -> int:
    if request.seed is not None:
        return request.seed
    return seed_for(request.conversation_id, len(request.history), request.text)


class BankBackend:
    name = "bank"
    model_name = "reply-bank"

    def __init__(self, personas: PersonaRegistry) -> None:
        self._personas = personas
        self._banks: dict[str, ReplyBank] = {}

    async def startup(self) -> None:
        # the lines are analysed with Kiwi now, not on the first turn (seconds on a busy
        # machine, and the first turns would wait on it)
        for persona in self._personas:
            bank = ReplyBank.load(persona)
            self._banks[persona.id] = await asyncio.to_thread(bank.warm_up)

    async def shutdown(self) -> None:
        self._banks.clear()

    async def stream(self, request: GenerationInput) -> AsyncIterator[str | Completion]:
        bank = self._banks[request.persona.id]
        query = Query(request.text, request.reply_emotion, situation_of(request.situation),
                      request.who, request.what, request.sensitive, request.question)
        reply = bank.choose(query, request.previous_replies, random.Random(turn_seed(request)))
        pieces = chunks(reply)
        for piece in pieces:
            yield piece
        yield Completion(finish_reason="bank", prompt_tokens=len(request.text.split()),
                         completion_tokens=len(pieces))
