import json
from dataclasses import replace

import pytest

from emotion_chat.personas import PersonaRegistry
from generator_service.backends.bank import BankBackend
from generator_service.backends.base import Completion, GenerationInput, HistoryTurn

PERSONAS = PersonaRegistry.load()


@pytest.fixture
async def backend():
    b = BankBackend(PERSONAS)
    await b.startup()
    return b


def request(text: str, emotion: str, persona: str = "", history=(), seed=None):
    return GenerationInput(history=tuple(history), text=text, emotion=emotion,
                           reply_emotion=emotion, emotion_score=0.9,
                           persona=PERSONAS.resolve(persona), max_new_tokens=64,
                           temperature=0.8, top_p=0.95, seed=seed, conversation_id="c")


async def test_backend_streams_a_reply_of_the_persona_and_emotion(backend) -> None:
    items = [i async for i in backend.stream(request("상사가 또 소리 질렀어", "분노", "anger"))]
    reply = "".join(i for i in items if isinstance(i, str))
    bank = json.loads(PERSONAS.resolve("anger").bank_path.read_text(encoding="utf-8"))
    assert reply in bank["분노"]
    assert isinstance(items[-1], Completion) and items[-1].finish_reason == "bank"


async def test_never_repeats_the_previous_bot_reply(backend) -> None:
    history: list[HistoryTurn] = []
    seen = []
    for _ in range(6):
        items = [i async for i in backend.stream(request("그냥 그래", "중립", history=history))]
        reply = "".join(i for i in items if isinstance(i, str))
        assert reply not in seen
        seen.append(reply)
        history += [HistoryTurn("user", "그냥 그래", "중립"), HistoryTurn("assistant", reply)]


async def test_avoided_replies_are_not_given(backend) -> None:
    first = request("상사가 또 소리 질렀어", "분노", "anger", seed=1)
    items = [i async for i in backend.stream(first)]
    reply = "".join(i for i in items if isinstance(i, str))
    again = replace(first, avoid_replies=(reply,))
    other = "".join([i async for i in backend.stream(again) if isinstance(i, str)])
    assert other != reply
