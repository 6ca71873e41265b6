"""The openai backend against a local chat-completions server, checked on the wire."""

import logging

import pytest
from fake_openai import FakeOpenAI

from emotion_chat.errors import ErrorCode, UpstreamError
from emotion_chat.personas import PersonaRegistry
from generator_service.backends.base import Completion, GenerationInput, HistoryTurn
from generator_service.backends.openai_chat import OpenAIChatBackend, resolve_api_key

SECRET = "sk-test-do-not-log-1234"


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def backend(fake):
    b = OpenAIChatBackend(fake.base_url, "gpt-3.5-turbo", SECRET, timeout_s=1.0, max_retries=0)
    await b.startup()
    yield b
    await b.shutdown()


def request(**overrides) -> GenerationInput:
    personas = PersonaRegistry.load()
    values = dict(
        history=(HistoryTurn("user", "요즘 회사 일이 너무 많아", "스트레스 받는"),
                 HistoryTurn("assistant", "헉 많이 바빴구나")),
        text="내일 발표인데 너무 떨려", emotion="불안", reply_emotion="불안", emotion_score=0.91,
        persona=personas.resolve("fear"), max_new_tokens=40, temperature=0.7, top_p=0.9,
        seed=7, conversation_id="c-1")
    values.update(overrides)
    return GenerationInput(**values)


async def collect(backend, req):
    return [item async for item in backend.stream(req)]


async def test_seed_prompt_format_and_history_on_the_wire(backend, fake) -> None:
    items = await collect(backend, request())
    text = "".join(i for i in items if isinstance(i, str))
    assert text == fake.reply
    completion = items[-1]
    assert isinstance(completion, Completion)
    assert (completion.prompt_tokens, completion.finish_reason) == (42, "stop")
    sent = fake.requests[-1]
    assert sent["model"] == "gpt-3.5-turbo" and sent["stream"] is True
    assert sent["max_tokens"] == 40 and sent["temperature"] == 0.7 and sent["top_p"] == 0.9
    assert sent["seed"] == 7
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    system = sent["messages"][0]["content"]
    assert "소심이" in system and ";;" in system and "반말" in system
    assert sent["messages"][1]["content"] == "요즘 회사 일이 너무 많아 ;; 스트레스 받는"
    assert sent["messages"][2]["content"] == "헉 많이 바빴구나"
    assert sent["messages"][3]["content"] == "내일 발표인데 너무 떨려 ;; 불안"
    assert fake.headers[-1]["authorization"] == f"Bearer {SECRET}"


async def test_unknown_emotion_sends_plain_text(backend, fake) -> None:
    await collect(backend, request(emotion="", history=()))
    assert fake.requests[-1]["messages"][-1]["content"] == "내일 발표인데 너무 떨려"


@pytest.mark.parametrize(("scenario", "code"), [
    ("401", ErrorCode.UNAUTHENTICATED),
    ("403", ErrorCode.PERMISSION_DENIED),
    ("429", ErrorCode.RESOURCE_EXHAUSTED),
    ("500", ErrorCode.UNAVAILABLE),
    ("404", ErrorCode.FAILED_PRECONDITION),
    ("400", ErrorCode.INVALID_ARGUMENT),
    ("slow", ErrorCode.DEADLINE_EXCEEDED),
])
async def test_http_failures_map_to_error_codes_without_leaking_the_key(
        backend, fake, scenario, code, caplog) -> None:
    fake.scenario = scenario
    caplog.set_level(logging.DEBUG)
    with pytest.raises(UpstreamError) as raised:
        await collect(backend, request())
    assert raised.value.code == code
    assert fake.base_url in raised.value.message
    assert SECRET not in raised.value.message
    assert SECRET not in caplog.text


async def test_connection_refused_is_unavailable() -> None:
    b = OpenAIChatBackend("http://127.0.0.1:9/v1", "m", "k", timeout_s=1.0, max_retries=0)
    await b.startup()
    try:
        with pytest.raises(UpstreamError) as raised:
            await collect(b, request())
        assert raised.value.code == ErrorCode.UNAVAILABLE
    finally:
        await b.shutdown()


def test_api_key_sources(tmp_path, monkeypatch) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("sk-from-file\n")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert resolve_api_key("sk-explicit", key_file) == "sk-explicit"
    assert resolve_api_key(None, key_file) == "sk-from-file"
    assert resolve_api_key(None, None) == "sk-from-env"
