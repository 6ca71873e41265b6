"""The Kakao i OpenBuilder skill, black-box, with payloads shaped as the public skill
documentation describes them; the callback path with a local receiver and a slow generator
(an OpenAI-compatible upstream that takes its time)."""

import asyncio
import hashlib
import time
import uuid

import httpx
import pytest
from fake_openai import FakeOpenAI
from receiver import CallbackReceiver
from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat.personas import PersonaRegistry
from orchestrator.channels.kakao.routes import switch_target, with_particle
from orchestrator.channels.kakao.skill import conversation_id, split_text

BOT = "5f1a2b3c4d5e6f7a8b9c0d1e"


def payload(utterance: str, user: str, callback: str | None = None, **extra) -> dict:
    """A skill payload as OpenBuilder POSTs it to a skill server."""
    user_request = {
        "timezone": "Asia/Seoul", "lang": "ko", "utterance": utterance,
        "block": {"id": "6a1b2c3d4e5f6a7b8c9d0e1f", "name": "폴백 블록"},
        "params": {"ignoreMe": "true", "surface": "Kakaotalk.plusfriend"},
        "user": {"id": user, "type": "botUserKey",
                 "properties": {"botUserKey": user, "bot_user_key": user}}}
    if callback is not None:
        user_request["callbackUrl"] = callback
    return {"intent": {"id": "6a1b2c3d4e5f6a7b8c9d0e20", "name": "폴백 블록",
                       "extra": {"reason": {"code": 1, "message": "OK"}}},
            "userRequest": user_request, "bot": {"id": BOT, "name": "감정 챗봇"},
            "action": {"name": "emotion-chat", "clientExtra": None, "params": {},
                       "id": "6a1b2c3d4e5f6a7b8c9d0e21", "detailParams": {}},
            **extra}


def user_key() -> str:
    return uuid.uuid4().hex


def texts(response: dict) -> list[str]:
    return [o["simpleText"]["text"] for o in response["template"]["outputs"]]


def labels(response: dict) -> list[str]:
    return [q["label"] for q in response["template"].get("quickReplies", [])]


@pytest.fixture
async def http(orch):
    async with httpx.AsyncClient(base_url=orch.http_url, timeout=20) as client:
        yield client


async def test_a_message_gets_a_skill_response(http) -> None:
    user = user_key()
    response = await http.post("/kakao/skill", json=payload("내일 발표인데 너무 떨려", user))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "2.0" and 1 <= len(body["template"]["outputs"]) <= 3
    assert texts(body)[0]
    assert labels(body)[0] == "다시 답해줘" and len(labels(body)) <= 10
    assert "기쁨이랑 얘기하기" in labels(body) and "빙봉이랑 얘기하기" not in labels(body)
    stored = (await http.get(f"/v1/conversations/{conversation_id(BOT, user)}")).json()
    assert stored["turns"][0]["text"] == "내일 발표인데 너무 떨려"
    assert stored["turns"][0]["channel"] == "kakao"
    assert stored["turns"][1]["text"] == texts(body)[0]


async def test_quick_reply_commands_regenerate_and_switch_persona(http) -> None:
    user = user_key()
    first = (await http.post("/kakao/skill", json=payload("시험 때문에 불안해", user))).json()
    again = (await http.post("/kakao/skill", json=payload("다시 답해줘", user))).json()
    assert texts(again)[0] != texts(first)[0]
    switched = (await http.post("/kakao/skill", json=payload("슬픔이랑 얘기하기", user))).json()
    sadness = PersonaRegistry.load().resolve("sadness")
    assert texts(switched)[0] in sadness.introductions
    assert "슬픔이랑 얘기하기" not in labels(switched) and "빙봉이랑 얘기하기" in labels(switched)
    stored = (await http.get(f"/v1/conversations/{conversation_id(BOT, user)}")).json()
    assert stored["persona"] == "sadness" and stored["total_turns"] == 2


async def test_nothing_to_regenerate_gets_a_kind_answer(http) -> None:
    response = await http.post("/kakao/skill", json=payload("다시 답해줘", user_key()))
    assert response.status_code == 200 and "다시 답할 말이 아직 없어요" in texts(response.json())[0]


async def test_one_channel_per_persona(http) -> None:
    user = user_key()
    body = (await http.post("/kakao/skill/버럭이", json=payload("택배가 또 분실됐대", user))).json()
    assert labels(body) == ["다시 답해줘"]  # no persona switching on a persona's channel
    stored = (await http.get(f"/v1/conversations/{conversation_id(BOT, user)}")).json()
    assert stored["persona"] == "anger"
    unknown = await http.post("/kakao/skill/joker", json=payload("안녕", user))
    assert unknown.status_code == 400 and "unknown persona" in unknown.text


async def test_the_confirm_question_offers_yes_and_no(downstream) -> None:
    async with running_orchestrator(*downstream, answer_threshold=1.0,
                                    confirm_threshold=0.0) as orch, \
            httpx.AsyncClient(base_url=orch.http_url) as http:
        body = (await http.post("/kakao/skill/joy",
                                json=payload("요즘 잠을 못 자겠어", user_key()))).json()
    assert labels(body) == ["응", "아니"] and "혹시" in texts(body)[0]


@pytest.mark.parametrize(("body", "message"), [
    (b"not json", "not valid JSON"),
    (b'{"userRequest": {"user": {"id": "u"}}}', "userRequest.utterance is required"),
    (b'{"userRequest": {"utterance": "hi"}}', "userRequest.user is required"),
    (b'{"userRequest": {"utterance": "hi", "user": {"id": ""}}}', "userRequest.user.id"),
    (b'{"userRequest": {"utterance": "   ", "user": {"id": "u"}}}', "text is empty"),
    (b'{}', "userRequest is required"),
])
async def test_bad_payloads_are_400_never_500(http, body, message) -> None:
    response = await http.post("/kakao/skill", content=body,
                               headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]["message"]


def test_conversation_ids_fit_the_id_rules_and_hide_the_user_key() -> None:
    cid = conversation_id(BOT, "kakao-user-key-1")
    assert cid == f"kakao:{BOT}:{hashlib.sha256(b'kakao-user-key-1').hexdigest()[:32]}"
    odd = conversation_id("봇 이름/with spaces", "u")
    assert odd.startswith("kakao:h") and " " not in odd and len(odd) <= 128
    assert conversation_id("", "u").startswith("kakao:bot:")


def test_long_replies_are_split_into_at_most_three_outputs() -> None:
    sentence = "오늘 정말 고생 많았어요. "
    parts = split_text(sentence * 200)
    assert len(parts) == 3 and all(len(p) <= 1000 for p in parts)
    assert parts[0].endswith(".") and parts[-1].endswith("…")
    assert split_text("짧은 답") == ["짧은 답"]


def test_persona_switch_phrases_and_particles() -> None:
    personas = PersonaRegistry.load()
    for said in ("기쁨이랑 얘기하기", "기쁨이랑 대화할래", "기쁨이하고 얘기해줘", "joy랑 얘기하기"):
        assert switch_target(said, personas).id == "joy", said
    assert switch_target("기쁨이 얘기 좀 해봐", personas) is None
    assert with_particle("빙봉") == "빙봉이랑" and with_particle("기쁨이") == "기쁨이랑"


@pytest.fixture(scope="module")
async def slow_stack(tiny_model_dir):
    """A generator whose upstream takes 1.5 s per reply, behind a 0.4 s Kakao budget."""
    with FakeOpenAI("천천히 생각해 봤는데, 정말 잘 해낼 거야.") as upstream:
        upstream.delay_s = 1.5
        async with running_classifier(tiny_model_dir) as classifier, running_generator(
                backend="openai", openai_base_url=upstream.base_url, openai_model="slow",
                openai_max_retries=0) as generator, running_orchestrator(
                classifier.target, generator.target, answer_threshold=0.0,
                confirm_threshold=0.0, kakao_reply_budget_s=0.4) as orch:
            yield orch


async def test_a_slow_turn_is_answered_through_the_callback_once(slow_stack) -> None:
    user = user_key()
    with CallbackReceiver(statuses=(503,)) as receiver:
        async with httpx.AsyncClient(base_url=slow_stack.http_url) as http:
            started = time.monotonic()
            ack = await http.post("/kakao/skill", json=payload("발표가 너무 걱정돼", user,
                                                                receiver.url))
            answered_in = time.monotonic() - started
            assert ack.status_code == 200 and answered_in < 1.2
            assert ack.json()["useCallback"] is True and ack.json()["version"] == "2.0"
            assert await asyncio.to_thread(receiver.received.wait, 10)
            await asyncio.sleep(0.5)  # nothing more arrives
            stored = (await http.get(f"/v1/conversations/{conversation_id(BOT, user)}")).json()
    assert len(receiver.posts) == 2 and len(receiver.accepted) == 1  # 503, retried once
    final = receiver.accepted[0]
    assert texts(final) == ["천천히 생각해 봤는데, 정말 잘 해낼 거야."]
    assert stored["total_turns"] == 1 and stored["turns"][1]["text"] == texts(final)[0]


async def test_without_a_callback_the_bank_answers_within_the_budget(slow_stack) -> None:
    user = user_key()
    before = slow_stack.metric("orchestrator_degraded_turns_total",
                               {"reason": "generator_too_slow"}) or 0
    async with httpx.AsyncClient(base_url=slow_stack.http_url) as http:
        started = time.monotonic()
        response = await http.post("/kakao/skill", json=payload("발표가 너무 걱정돼", user))
        answered_in = time.monotonic() - started
        stored = (await http.get(f"/v1/conversations/{conversation_id(BOT, user)}")).json()
    assert response.status_code == 200 and answered_in < 1.5
    reply = texts(response.json())[0]
    assert reply and reply != "천천히 생각해 봤는데, 정말 잘 해낼 거야."
    assert stored["turns"][1]["text"] == reply  # stored as given
    assert slow_stack.metric("orchestrator_degraded_turns_total",
                             {"reason": "generator_too_slow"}) == before + 1


async def test_a_crisis_gets_the_crisis_lines_and_call_buttons(http, orch) -> None:
    user = user_key()
    body = (await http.post("/kakao/skill/버럭이",
                            json=payload("요즘 진짜 죽고 싶다는 생각만 들어", user))).json()
    outputs = body["template"]["outputs"]
    text = outputs[0]["simpleText"]["text"]
    assert "109" in text and "1577-0199" in text and "1388" in text
    card = outputs[-1]["basicCard"]
    assert [b["phoneNumber"] for b in card["buttons"]] == ["109", "15770199", "1388"]
    assert all(b["action"] == "phone" for b in card["buttons"])
    assert "quickReplies" not in body["template"]  # no jokes, no regenerate, no persona games
    counted = [sample.value for metric in orch.service.registry.collect()
               if metric.name == "orchestrator_crisis_turns" for sample in metric.samples
               if sample.name.endswith("_total") and sample.labels["channel"] == "kakao"]
    assert sum(counted) >= 1


async def test_songs_come_as_a_list_card_with_links(downstream, music_index_dir) -> None:
    from servers import running_recommender

    async with running_recommender(music_index_dir) as recommender, \
            running_orchestrator(*downstream, answer_threshold=0.0, confirm_threshold=0.0,
                                 recommender_target=recommender.target,
                                 public_url="https://chat.example.com/") as orch, \
            httpx.AsyncClient(base_url=orch.http_url, timeout=20) as http:
        body = (await http.post("/kakao/skill",
                                json=payload("시험 붙었어 너무 좋아", user_key()))).json()
    outputs = body["template"]["outputs"]
    assert len(outputs) <= 3 and "simpleText" in outputs[0]
    card = outputs[-1]["listCard"]
    assert card["header"]["title"] and 1 <= len(card["items"]) <= 5
    item = card["items"][0]
    assert item["title"] and "emotion-chat" in item["description"]
    assert item["link"]["web"].startswith("https://chat.example.com/v1/tracks/")
    assert item["link"]["web"].endswith("/audio")
