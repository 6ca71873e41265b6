"""The local backend with a tiny random-weight GPT-2 in KoGPT2 format (torch and ONNX)."""

import asyncio
import time

import pytest

from emotion_chat.errors import DeadlineExpiredError, OverloadedError
from emotion_chat.personas import PersonaRegistry
from generator_service.backends.base import Completion, GenerationInput
from generator_service.backends.local_lm import LocalCausalLMBackend

PERSONAS = PersonaRegistry.load()


def request(**overrides) -> GenerationInput:
    values = dict(history=(), text="오늘 너무 행복해", emotion="행복", reply_emotion="행복",
                  emotion_score=0.9, persona=PERSONAS.resolve("joy"), max_new_tokens=12,
                  temperature=0.8, top_p=0.95, seed=5, conversation_id="c")
    values.update(overrides)
    return GenerationInput(**values)


@pytest.fixture(scope="module")
async def torch_backend(tiny_kogpt2_dir):
    backend = LocalCausalLMBackend(str(tiny_kogpt2_dir), max_concurrency=1, max_waiting=1)
    await backend.startup()
    yield backend
    await backend.shutdown()


async def run(backend, req):
    items = [i async for i in backend.stream(req)]
    return "".join(i for i in items if isinstance(i, str)), items[-1]


async def test_generates_with_the_kogpt2_prompt(torch_backend) -> None:
    ids = torch_backend._prompt_ids(request())
    decoded = torch_backend._tokenizer.decode(ids)
    assert decoded.startswith("<d>") and "<usr>" in decoded and decoded.endswith("<sys>")
    text, completion = await run(torch_backend, request(min_new_tokens=12))
    assert isinstance(completion, Completion)
    assert completion.completion_tokens == 12 and completion.finish_reason == "length"
    assert completion.prompt_tokens == len(ids)
    assert text.strip()


async def test_seed_makes_sampling_reproducible(torch_backend) -> None:
    first, _ = await run(torch_backend, request(seed=11, min_new_tokens=8, max_new_tokens=8))
    second, _ = await run(torch_backend, request(seed=11, min_new_tokens=8, max_new_tokens=8))
    assert first == second


async def test_over_capacity_is_refused_and_cancellation_frees_the_slot(
        torch_backend, monkeypatch) -> None:
    generated: list[int] = []
    original = torch_backend._generate

    def recording(request, prompt_ids, stop, counter, *rest):
        try:
            return original(request, prompt_ids, stop, counter, *rest)
        finally:
            generated.append(counter.generated)

    monkeypatch.setattr(torch_backend, "_generate", recording)
    long = request(max_new_tokens=200, min_new_tokens=200)
    first = torch_backend.stream(long)
    await first.__anext__()  # running: the only slot is taken
    waiting = asyncio.ensure_future(run(torch_backend, request()))
    await asyncio.sleep(0.05)  # the one waiting place is taken too
    with pytest.raises(OverloadedError, match="busy"):
        await run(torch_backend, request())
    started = time.monotonic()
    await first.aclose()  # client went away: generation stops at the next token
    await asyncio.wait_for(waiting, 30)
    assert time.monotonic() - started < 10
    assert generated[0] < 200  # the abandoned generation stopped early


async def test_deadline_while_waiting_for_a_slot(torch_backend) -> None:
    long = torch_backend.stream(request(max_new_tokens=200, min_new_tokens=200))
    await long.__anext__()
    with pytest.raises(DeadlineExpiredError):
        await run(torch_backend, request(deadline=time.monotonic() + 0.1))
    await long.aclose()


async def test_onnx_runtime_option(tiny_kogpt2_dir, tmp_path) -> None:
    backend = LocalCausalLMBackend(str(tiny_kogpt2_dir), runtime="onnx")
    await backend.startup()
    try:
        text, completion = await run(backend, request(min_new_tokens=6, max_new_tokens=6))
        assert completion.completion_tokens == 6 and text.strip()
    finally:
        await backend.shutdown()
