"""The OpenAI-compatible door, driven with the `openai` SDK as chat clients use it."""

import uuid

import httpx
import openai
import pytest


@pytest.fixture
async def client(orch):
    async with openai.AsyncOpenAI(base_url=f"{orch.http_url}/v1", api_key="unused",
                                  max_retries=0) as sdk:
        yield sdk


async def test_a_completion_is_one_turn_with_the_emotion_alongside(client, orch) -> None:
    user = f"oa-{uuid.uuid4().hex[:8]}"
    completion = await client.chat.completions.create(
        model="기쁨이", user=user,
        messages=[{"role": "system", "content": "ignored: the persona speaks"},
                  {"role": "user", "content": "드디어 합격했어!"}])
    reply = completion.choices[0].message
    assert reply.role == "assistant" and reply.content
    assert completion.choices[0].finish_reason == "stop" and completion.model == "joy"
    extra = completion.model_extra["emotion_chat"]
    assert extra["emotion"]["label"] and extra["kind"] == "generated"
    assert extra["conversation_id"] == user and extra["reply"] == reply.content
    async with httpx.AsyncClient(base_url=orch.http_url) as http:
        stored = (await http.get(f"/v1/conversations/{user}")).json()
    assert stored["turns"][0]["channel"] == "openai" and stored["persona"] == "joy"


async def test_streaming_chunks_carry_the_reply_and_the_turn(client) -> None:
    user = f"oa-{uuid.uuid4().hex[:8]}"
    stream = await client.chat.completions.create(
        model="emotion-chat", user=user, stream=True,
        messages=[{"role": "user", "content": "요즘 회사 때문에 너무 지쳐"}])
    chunks = [chunk async for chunk in stream]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[0].model_extra["emotion_chat"]["emotion"]["label"]
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop"
    assert final.model_extra["emotion_chat"]["reply"] == text.strip()


async def test_the_conversation_id_can_come_from_a_header(client, orch) -> None:
    conversation = f"oa-{uuid.uuid4().hex[:8]}"
    for text in ("안녕!", "나 오늘 좀 우울해"):
        await client.chat.completions.create(
            model="sadness", messages=[{"role": "user", "content": text}],
            extra_headers={"X-Conversation-Id": conversation})
    async with httpx.AsyncClient(base_url=orch.http_url) as http:
        stored = (await http.get(f"/v1/conversations/{conversation}")).json()
    assert stored["total_turns"] == 2


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"model": "emotion-chat", "messages": [{"role": "user", "content": "안녕"}]},
     "set `user`"),
    ({"model": "emotion-chat", "user": "u", "messages": [{"role": "assistant",
                                                          "content": "안녕"}]},
     "the last message must be the user's"),
    ({"model": "joker", "user": "u", "messages": [{"role": "user", "content": "안녕"}]},
     "unknown persona 'joker'"),
    ({"model": "emotion-chat", "user": "u", "n": 2,
      "messages": [{"role": "user", "content": "안녕"}]}, "only one choice"),
])
async def test_bad_requests_are_400_with_a_reason(client, kwargs, message) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        await client.chat.completions.create(**kwargs)
    assert message in raised.value.message


async def test_models_are_the_personas(client) -> None:
    ids = [model.id async for model in client.models.list()]
    assert ids[0] == "emotion-chat" and {"joy", "anger", "fear", "sadness", "bingbong"} <= set(ids)
