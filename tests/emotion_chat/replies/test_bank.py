import json
import random

from emotion_chat.personas import PersonaRegistry
from emotion_chat.replies import ReplyBank, chunks
from emotion_chat.taxonomy import CORE_LABELS

PERSONAS = PersonaRegistry.load()


def test_bank_sizes() -> None:
    for persona in PERSONAS:
        bank = json.loads(persona.bank_path.read_text(encoding="utf-8"))
        minimum = 15 if persona.id == PERSONAS.default else 8
        for emotion in CORE_LABELS:
            replies = bank[emotion]
            assert len(set(replies)) == len(replies) >= minimum, (persona.id, emotion)
            assert all(5 <= len(r) <= 120 for r in replies)


def test_lexical_similarity_prefers_the_topic() -> None:
    bank = ReplyBank({e: ["오늘 정말 잘됐다!", "시험 잘 봤다니 대단해!", "맛있는 거 먹자!"]
                      for e in CORE_LABELS})
    chosen = {bank.choose("드디어 시험 끝났어 잘 본 것 같아", "행복", [], random.Random(s))
              for s in range(10)}
    assert chosen == {"시험 잘 봤다니 대단해!"}


def test_ties_are_broken_by_the_seed_and_previous_replies_are_avoided() -> None:
    bank = ReplyBank({e: ["가나다", "라마바", "사아자"] for e in CORE_LABELS})
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


def test_replies_about_topics_the_user_did_not_raise_are_skipped() -> None:
    replies = ["강아지가 많이 보고 싶구나", "그 마음 충분히 이해해", "시험 잘 봤다니 대단해!"]
    bank = ReplyBank({e: replies for e in CORE_LABELS})
    for seed in range(10):
        assert bank.choose("택배가 또 늦게 왔어", "분노", [], random.Random(seed)) == \
            "그 마음 충분히 이해해"
        assert bank.choose("우리 강아지가 아파", "슬픔", [], random.Random(seed)) == \
            "강아지가 많이 보고 싶구나"


def test_a_reply_about_a_cat_is_not_given_to_someone_missing_a_dog() -> None:
    sadness = PERSONAS.resolve("슬픔이")
    bank = ReplyBank.load(sadness)
    for seed in range(20):
        reply = bank.choose("키우던 강아지가 너무 보고 싶어", "슬픔", [], random.Random(seed))
        assert "고양이" not in reply
