"""A real generator server through gRPC: bank (default), openai (fake upstream), local."""

import grpc
import pytest
from fake_openai import FakeOpenAI
from servers import running_generator

from emotion_chat.v1 import generator_pb2 as pb


def turn(role, text, emotion=""):
    return pb.Turn(role=role, text=text, emotion=emotion)


REQUEST = pb.GenerateRequest(
    history=[turn(pb.ROLE_USER, "안녕", "중립"), turn(pb.ROLE_ASSISTANT, "안녕! 반가워")],
    text="오늘 시험 끝났는데 망친 것 같아", emotion=pb.Emotion(label="슬픔", score=0.88),
    conversation_id="conv-1")


async def test_bank_answers_korean_offline_unary_and_streaming() -> None:
    async with running_generator() as server:
        unary = await server.stub.Generate(REQUEST)
        assert unary.backend == "bank" and unary.persona == "bingbong"
        assert unary.text and unary.finish_reason == "bank"
        assert unary.timings.total_ms >= unary.timings.time_to_first_token_ms > 0
        deltas, done = [], None
        async for event in server.stub.GenerateStream(REQUEST):
            if event.HasField("done"):
                done = event.done
            else:
                deltas.append(event.delta)
        assert done is not None and "".join(deltas).strip() == done.text == unary.text
        assert server.metric("generator_replies_total", {
            "backend": "bank", "persona": "bingbong", "emotion": "슬픔"}) == 2
        assert server.metric("generator_time_to_first_token_seconds_count", {
            "backend": "bank", "persona": "bingbong"}) == 2


async def test_personas_are_listed_and_selected_by_name() -> None:
    async with running_generator() as server:
        listed = await server.stub.ListPersonas(pb.ListPersonasRequest())
        assert listed.default_persona == "bingbong"
        assert {p.name for p in listed.personas} == {"빙봉", "기쁨이", "버럭이", "소심이", "슬픔이"}
        request = pb.GenerateRequest()
        request.CopyFrom(REQUEST)
        request.persona = "슬픔이"
        assert (await server.stub.Generate(request)).persona == "sadness"


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r: setattr(r, "text", ""), "text is empty"),
    (lambda r: setattr(r, "persona", "joker"), "unknown persona 'joker'"),
    (lambda r: setattr(r.params, "max_new_tokens", 100000), "max_new_tokens 100000"),
    (lambda r: setattr(r.params, "temperature", 9.0), "temperature 9.0 is outside [0, 2]"),
    (lambda r: setattr(r.params, "top_p", 0.0), "top_p 0.0 is outside (0, 1]"),
    (lambda r: r.history.append(pb.Turn(text="역할 없음")),
     "history[2].role must be user or assistant"),
    (lambda r: setattr(r.emotion, "score", 3.0), "emotion.score 3.0 is outside [0, 1]"),
])
async def test_bad_input_is_invalid_argument(mutate, message) -> None:
    async with running_generator() as server:
        request = pb.GenerateRequest()
        request.CopyFrom(REQUEST)
        mutate(request)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await server.stub.Generate(request)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert message in raised.value.details()
        assert (await server.stub.Generate(REQUEST)).text


async def test_openai_backend_end_to_end_and_errors() -> None:
    with FakeOpenAI(reply="헉 시험 망친 것 같아서 속상하겠다. 그래도 끝난 게 어디야") as fake:
        async with running_generator(backend="openai", openai_base_url=fake.base_url,
                                     openai_model="my-vllm-model", openai_api_key="sk-x",
                                     openai_max_retries=0, openai_timeout_s=1.0) as server:
            response = await server.stub.Generate(REQUEST)
            assert response.text == fake.reply
            assert (response.backend, response.model) == ("openai", "my-vllm-model")
            assert fake.requests[-1]["messages"][-1]["content"] == \
                "오늘 시험 끝났는데 망친 것 같아 ;; 슬픔"
            fake.scenario = "429"
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await server.stub.Generate(REQUEST)
            assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            fake.scenario = "401"
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await server.stub.Generate(REQUEST)
            assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert server.metric("generator_backend_errors_total", {
                "backend": "openai", "code": "RESOURCE_EXHAUSTED"}) == 1


async def test_openai_backend_honours_the_rpc_deadline() -> None:
    with FakeOpenAI() as fake:
        fake.scenario = "slow"
        async with running_generator(backend="openai", openai_base_url=fake.base_url,
                                     openai_max_retries=0, openai_timeout_s=30) as server:
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await server.stub.Generate(REQUEST, timeout=0.5)
            assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


async def test_local_backend_through_grpc(tiny_kogpt2_dir) -> None:
    async with running_generator(backend="local", local_model=str(tiny_kogpt2_dir)) as server:
        request = pb.GenerateRequest()
        request.CopyFrom(REQUEST)
        request.params.max_new_tokens = 8
        request.params.seed = 3
        response = await server.stub.Generate(request)
        assert response.backend == "local" and response.usage.completion_tokens <= 8
        assert response.model == str(tiny_kogpt2_dir)
