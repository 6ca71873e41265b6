import json
import random

import pytest

from emotion_chat.personas import PersonaRegistry
from generator_service.backends.bank import BankBackend, ReplyBank, chunks
from generator_service.backends.base import Completion, GenerationInput, HistoryTurn
from generator_service.emotions import REPLY_EMOTIONS

PERSONAS = PersonaRegistry.load()


def test_bank_sizes() -> None:
    for persona in PERSONAS:
        bank = json.loads(persona.bank_path.read_text(encoding="utf-8"))
        minimum = 15 if persona.id == PERSONAS.default else 8
        for emotion in REPLY_EMOTIONS:
            replies = bank[emotion]
            assert len(set(replies)) == len(replies) >= minimum, (persona.id, emotion)
            assert all(5 <= len(r) <= 120 for r in replies)


def test_lexical_similarity_prefers_the_topic() -> None:
    bank = ReplyBank({e: ["오늘 정말 잘됐다!", "시험 잘 봤다니 대단해!", "맛있는 거 먹자!"]
                      for e in REPLY_EMOTIONS})
    chosen = {bank.choose("드디어 시험 끝났어 잘 본 것 같아", "행복", [], random.Random(s))
              for s in range(10)}
    assert chosen == {"시험 잘 봤다니 대단해!"}


def test_ties_are_broken_by_the_seed_and_previous_replies_are_avoided() -> None:
    bank = ReplyBank({e: ["가나다", "라마바", "사아자"] for e in REPLY_EMOTIONS})
    picks = {bank.choose("ㅋ", "중립", [], random.Random(seed)) for seed in range(20)}
    assert len(picks) > 1
    assert bank.choose("ㅋ", "중립", [], random.Random(3)) == \
        bank.choose("ㅋ", "중립", [], random.Random(3))
    for seed in range(20):
        assert bank.choose("ㅋ", "중립", ["가나다", "라마바"], random.Random(seed)) == "사아자"
    # all used: repeats are allowed again, but never the last reply
    for seed in range(20):
        assert bank.choose("ㅋ", "중립", ["가나다", "라마바", "사아자"],
                           random.Random(seed)) != "사아자"


def test_chunks_rebuild_the_text() -> None:
    assert "".join(chunks("그랬구나 많이 힘들었지")) == "그랬구나 많이 힘들었지"


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
    from dataclasses import replace

    again = replace(first, avoid_replies=(reply,))
    other = "".join([i async for i in backend.stream(again) if isinstance(i, str)])
    assert other != reply


def test_replies_about_topics_the_user_did_not_raise_are_skipped() -> None:
    replies = ["강아지가 많이 보고 싶구나", "그 마음 충분히 이해해", "시험 잘 봤다니 대단해!"]
    bank = ReplyBank({e: replies for e in REPLY_EMOTIONS})
    for seed in range(10):
        assert bank.choose("택배가 또 늦게 왔어", "분노", [], random.Random(seed)) == \
            "그 마음 충분히 이해해"
        assert bank.choose("우리 강아지가 아파", "슬픔", [], random.Random(seed)) == \
            "강아지가 많이 보고 싶구나"


def test_a_reply_about_a_cat_is_not_given_to_someone_missing_a_dog() -> None:
    sadness = PERSONAS.resolve("슬픔이")
    bank = BankBackend.load_bank(sadness)
    for seed in range(20):
        reply = bank.choose("키우던 강아지가 너무 보고 싶어", "슬픔", [], random.Random(seed))
        assert "고양이" not in reply
