from dataclasses import replace

import pytest

from emotion_chat.personas import PersonaRegistry
from emotion_chat.replies import ReplyBank
from generator_service.backends.bank import BankBackend
from generator_service.backends.base import Completion, GenerationInput, HistoryTurn

PERSONAS = PersonaRegistry.load()


@pytest.fixture
async def backend():
    b = BankBackend(PERSONAS)
    await b.startup()
    return b


def request(text: str, emotion: str, persona: str = "", history=(), seed=None, **topic):
    return GenerationInput(history=tuple(history), text=text, emotion=emotion,
                           reply_emotion=emotion, emotion_score=0.9,
                           persona=PERSONAS.resolve(persona), max_new_tokens=64,
                           temperature=0.8, top_p=0.95, seed=seed, conversation_id="c", **topic)


async def reply_of(backend, req) -> tuple[str, list]:
    items = [i async for i in backend.stream(req)]
    return "".join(i for i in items if isinstance(i, str)), items


async def test_backend_streams_a_reply_of_the_persona_emotion_and_situation(backend) -> None:
    reply, items = await reply_of(backend, request("팀장님이 또 소리 질렀어", "분노", "anger",
                                                   situation="work", who="팀장님"))
    written = [e.fill({"who": "팀장님", "what": ""}) for e in
               ReplyBank.load(PERSONAS.resolve("anger")).entries
               if "분노" in e.emotions and any(s.value == "work" for s in e.situations)]
    assert reply in written
    assert isinstance(items[-1], Completion) and items[-1].finish_reason == "bank"


async def test_never_repeats_the_previous_bot_reply(backend) -> None:
    history: list[HistoryTurn] = []
    seen = []
    for _ in range(6):
        reply, _ = await reply_of(backend, request("그냥 그래", "중립", history=history))
        assert reply not in seen
        seen.append(reply)
        history += [HistoryTurn("user", "그냥 그래", "중립"), HistoryTurn("assistant", reply)]


async def test_avoided_replies_are_not_given(backend) -> None:
    first = request("상사가 또 소리 질렀어", "분노", "anger", seed=1, situation="work")
    reply, _ = await reply_of(backend, first)
    other, _ = await reply_of(backend, replace(first, avoid_replies=(reply,)))
    assert other != reply
