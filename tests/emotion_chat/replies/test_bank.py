import json
import random

import pytest

from emotion_chat.personas import PersonaRegistry
from emotion_chat.replies import Query, ReplyBank, chunks
from emotion_chat.replies.bank import parse_entries
from emotion_chat.replies.check import main as check
from emotion_chat.situations import SENSITIVE, Situation
from emotion_chat.taxonomy import CORE_LABELS

PERSONAS = PersonaRegistry.load()


def entry(text: str, emotions=("중립",), situations=(), playful=False) -> dict:
    return {"text": text, "emotions": list(emotions), "situations": list(situations),
            "playful": playful}


def bank_of(*entries: dict) -> ReplyBank:
    generic = [entry(f"그랬구나 {e} 이야기 더 들려줘", (e,)) for e in CORE_LABELS]
    return ReplyBank(parse_entries({"replies": [*generic, *entries]}, "test"))


def test_every_shipped_bank_passes_the_coverage_check(capsys) -> None:
    assert check([str(p.bank_path) for p in PERSONAS]) == 0, capsys.readouterr().out


def test_situation_lines_win_and_fill_their_slots() -> None:
    bank = bank_of(entry("{who:이} 많이 보고 싶구나", ("슬픔",), ("pet_loss",)),
                   entry("시험 잘 봤다니 대단해!", ("행복",), ("exam",)))
    query = Query("우리 강아지가 무지개다리를 건넜어", "슬픔", Situation.PET_LOSS, who="강아지")
    assert bank.choose(query, [], random.Random(1)) == "강아지가 많이 보고 싶구나"
    no_name = Query("무지개다리를 건넜어", "슬픔", Situation.PET_LOSS)
    assert bank.choose(no_name, [], random.Random(1)) == "그랬구나 슬픔 이야기 더 들려줘"


def test_sensitive_situations_never_get_playful_lines() -> None:
    bank = bank_of(entry("우와 오늘은 파티다!", ("슬픔",), (), playful=True),
                   entry("그 마음 천천히 들려줘", ("슬픔",)))
    for seed in range(20):
        reply = bank.choose(Query("할머니가 돌아가셨어", "슬픔", Situation.BEREAVEMENT),
                            [], random.Random(seed))
        assert reply != "우와 오늘은 파티다!"
        after_crisis = bank.choose(Query("그냥 그래", "슬픔", sensitive=True), [],
                                   random.Random(seed))
        assert after_crisis != "우와 오늘은 파티다!"


def test_questions_fall_back_to_the_situations_small_talk() -> None:
    bank = bank_of(entry("점심은 따끈한 국밥 어때?", ("중립",), ("food",)))
    asked = Query("점심 뭐 먹지?", "불안", Situation.FOOD, question=True)
    assert bank.choose(asked, [], random.Random(0)) == "점심은 따끈한 국밥 어때?"
    stated = Query("점심 먹다 체했어", "불안", Situation.FOOD)
    assert bank.choose(stated, [], random.Random(0)) == "그랬구나 불안 이야기 더 들려줘"


def test_lines_that_name_what_was_not_said_lose() -> None:
    bank = bank_of(entry("선생님이 너만 혼냈어? 억울했겠다", ("상처",), ("school",)),
                   entry("너만 빼고 그랬다니 많이 서운했겠다", ("상처",), ("school",)))
    classmates = Query("반 애들이 나만 빼고 단톡방 만들었대 학교 가기 싫어", "상처",
                       Situation.SCHOOL)
    teacher = Query("선생님이 나만 혼냈어 진짜 서운해", "상처", Situation.SCHOOL)
    for seed in range(10):
        assert bank.choose(classmates, [], random.Random(seed)) == \
            "너만 빼고 그랬다니 많이 서운했겠다"
    assert bank.choose(teacher, [], random.Random(0)) == "선생님이 너만 혼냈어? 억울했겠다"


def test_a_question_is_not_answered_with_a_question() -> None:
    bank = bank_of(entry("점심 뭐 먹었어? 나도 궁금해", ("중립",), ("food",)),
                   entry("든든하게 먹자! 맛있게 먹으면 그게 최고야", ("중립",), ("food",)))
    asked = Query("점심 뭐 먹지?", "중립", Situation.FOOD, question=True)
    for seed in range(10):
        assert bank.choose(asked, [], random.Random(seed)) == \
            "든든하게 먹자! 맛있게 먹으면 그게 최고야"


def test_ties_are_broken_by_the_seed_and_previous_replies_are_avoided() -> None:
    lines = [entry(t) for t in ("그렇구나!", "그랬구나.", "알겠어~")]
    bank = bank_of(*lines)
    query = Query("ㅋ", "중립")
    picks = {bank.choose(query, [], random.Random(seed)) for seed in range(30)}
    assert len(picks) > 1
    assert bank.choose(query, [], random.Random(3)) == bank.choose(query, [], random.Random(3))
    everything = [e.text for e in bank.entries if "중립" in e.emotions]
    for seed in range(20):  # all used: repeats again, but never the last reply
        assert bank.choose(query, everything, random.Random(seed)) != everything[-1]


def test_generic_lines_about_a_topic_the_person_did_not_raise_are_skipped() -> None:
    bank = bank_of(entry("강아지가 많이 보고 싶구나", ("분노",)),
                   entry("시험 잘 봤다니 대단해!", ("분노",)))
    for seed in range(10):
        reply = bank.choose(Query("택배가 또 늦게 왔어", "분노"), [], random.Random(seed))
        assert reply == "그랬구나 분노 이야기 더 들려줘"


@pytest.mark.parametrize(("bad", "message"), [
    ({"replies": [entry("x", ("기쁨",))]}, "emotions must be"),
    ({"replies": [entry("x", situations=("moving",))]}, "unknown situations"),
    ({"replies": [entry("{who:에게} 안녕")]}, "unknown particle"),
    ({"replies": [entry("{name} 안녕")]}, "braces other than"),
    ({"replies": [entry("파티!", ("슬픔",), ("bereavement",), playful=True)]},
     "playful line cannot be for a sensitive situation"),
    ({"lines": []}, "expected"),
])
def test_malformed_banks_are_refused_with_the_reason(bad, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_entries(bad, "bad.json")


def test_shipped_banks_keep_their_promises() -> None:
    for persona in PERSONAS:
        raw = json.loads(persona.bank_path.read_text(encoding="utf-8"))
        assert raw["persona"] == persona.id
        bank = ReplyBank.load(persona)
        assert len(bank.entries) >= 400
        sensitive = [e for e in bank.entries if e.situations & SENSITIVE]
        assert sensitive and not any(e.playful for e in sensitive)


def test_chunks_rebuild_the_text() -> None:
    assert "".join(chunks("그랬구나 많이 힘들었지")) == "그랬구나 많이 힘들었지"


def test_a_reply_about_a_cat_is_not_given_to_someone_missing_a_dog() -> None:
    sadness = ReplyBank.load(PERSONAS.resolve("슬픔이"))
    for seed in range(20):
        reply = sadness.choose(Query("키우던 강아지가 너무 보고 싶어", "슬픔", Situation.PET_LOSS,
                                     who="강아지"), [], random.Random(seed))
        assert "고양이" not in reply
