"""The orchestrator end to end with a real classifier (tiny ONNX) and generator (bank)."""

import asyncio
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat.v1 import generator_pb2 as gen_pb
from emotion_chat.v1 import orchestrator_pb2 as pb


def cid() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
async def downstream(tiny_model_dir):
    async with running_classifier(tiny_model_dir) as classifier, running_generator() as gen:
        yield f"127.0.0.1:{classifier.runner.port}", f"127.0.0.1:{gen.runner.port}", classifier


async def chat(stub, conversation, text, persona="", **kw) -> pb.ChatResponse:
    return await stub.Chat(pb.ChatRequest(conversation_id=conversation, text=text,
                                          persona=persona), **kw)


async def test_a_turn_chains_classifier_and_generator(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, answer_threshold=0.0,
                                    confirm_threshold=0.0) as orch:
        c = cid()
        reply = await chat(orch.stub, c, "오늘 시험 끝나서 너무 행복해!")
        assert reply.kind == pb.REPLY_KIND_GENERATED and reply.reply
        assert reply.emotion.label and 0 < reply.emotion.score <= 1
        assert len(reply.emotion.top) == 3 and reply.persona == "bingbong"
        t = reply.timings
        assert t.classify_ms > 0 and t.generate_ms > 0 and t.total_ms >= t.overhead_ms > 0
        assert reply.turn_index == 0 and not reply.degraded
        second = await chat(orch.stub, c, "근데 내일 또 시험이야", persona="소심이")
        assert second.turn_index == 1 and second.persona == "fear"
        conversation = await orch.stub.GetConversation(
            pb.GetConversationRequest(conversation_id=c))
        assert [t.role for t in conversation.turns] == [gen_pb.ROLE_USER,
                                                        gen_pb.ROLE_ASSISTANT] * 2
        assert conversation.turns[0].emotion == reply.emotion.label
        assert conversation.turns[1].text == reply.reply
        assert conversation.total_turns == 2 and conversation.persona == "fear"
        assert orch.metric("orchestrator_stage_duration_seconds_count",
                           {"stage": "classify"}) == 2
        assert orch.metric("orchestrator_overhead_seconds_count") == 2


async def test_a_checked_reply_streams_whole_after_its_check(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, answer_threshold=0.0,
                                    confirm_threshold=0.0) as orch:  # the check is on
        events = [e async for e in orch.stub.ChatStream(
            pb.ChatRequest(conversation_id=cid(), text="친구랑 싸워서 속상해"))]
        assert [e.WhichOneof("event") for e in events] == ["emotion", "delta", "done"]
        assert events[1].delta == events[2].done.reply
        assert events[2].done.generation_attempts >= 1


async def test_stream_sends_emotion_then_deltas_then_the_result(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, answer_threshold=0.0,
                                    confirm_threshold=0.0, consistency_check=False) as orch:
        events = [e async for e in orch.stub.ChatStream(
            pb.ChatRequest(conversation_id=cid(), text="친구랑 싸워서 속상해"))]
        kinds = [e.WhichOneof("event") for e in events]
        assert kinds[0] == "emotion" and kinds[-1] == "done"
        assert set(kinds[1:-1]) == {"delta"} and len(kinds) > 3
        done = events[-1].done
        assert "".join(e.delta for e in events[1:-1]).strip() == done.reply
        assert events[0].emotion.label == done.emotion.label


async def test_rules_answer_greetings_and_names_without_models(downstream) -> None:
    classifier, generator, classifier_server = downstream

    def classify_calls() -> float:
        return classifier_server.metric("grpc_server_started_total", {
            "grpc_service": "emotion_chat.v1.ClassifierService", "grpc_method": "Classify",
            "grpc_type": "unary"}) or 0.0

    async with running_orchestrator(classifier, generator) as orch:
        c = cid()
        before = classify_calls()
        hello = await chat(orch.stub, c, "안녕!", persona="버럭이")
        assert hello.kind == pb.REPLY_KIND_RULE and hello.timings.classify_ms == 0
        name = await chat(orch.stub, c, "너 이름이 뭐야?")
        assert name.kind == pb.REPLY_KIND_RULE and "버럭이" in name.reply
        assert classify_calls() == before


async def test_fsm_confirm_yes_no_and_new_message(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, answer_threshold=1.0,
                                    confirm_threshold=0.0) as orch:
        c = cid()
        asked = await chat(orch.stub, c, "요즘 잠을 못 자겠어")
        assert asked.kind == pb.REPLY_KIND_CONFIRM_QUESTION
        assert asked.state == pb.DIALOGUE_STATE_CONFIRM_EMOTION and "혹시" in asked.reply
        stored = await orch.stub.GetConversation(pb.GetConversationRequest(conversation_id=c))
        assert stored.pending_emotion == asked.emotion.label
        yes = await chat(orch.stub, c, "응 맞아")
        assert yes.kind == pb.REPLY_KIND_GENERATED and yes.state == pb.DIALOGUE_STATE_IDLE
        assert yes.emotion.label == asked.emotion.label
        asked_again = await chat(orch.stub, c, "회사 가기 싫다")
        no = await chat(orch.stub, c, "아니")
        assert asked_again.kind == pb.REPLY_KIND_CONFIRM_QUESTION
        assert no.kind == pb.REPLY_KIND_FALLBACK and no.state == pb.DIALOGUE_STATE_IDLE
        asked_third = await chat(orch.stub, c, "비가 오네")
        unrelated = await chat(orch.stub, c, "오늘 저녁은 뭐 먹을까 고민이야")
        assert asked_third.kind == pb.REPLY_KIND_CONFIRM_QUESTION
        # a new message, classified and answered: never two confirm questions in a row
        assert unrelated.kind == pb.REPLY_KIND_GENERATED and unrelated.emotion.score > 0
        assert unrelated.state == pb.DIALOGUE_STATE_IDLE


async def test_low_confidence_is_a_fallback(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, answer_threshold=1.0,
                                    confirm_threshold=1.0) as orch:
        reply = await chat(orch.stub, cid(), "그냥 그래")
        assert reply.kind == pb.REPLY_KIND_FALLBACK and reply.reply


async def test_50_concurrent_turns_into_one_conversation(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, answer_threshold=0.0,
                                    confirm_threshold=0.0, max_stored_turns=200) as orch:
        c = cid()
        texts = [f"메시지 {i}번이야" for i in range(50)]
        replies = await asyncio.gather(*(chat(orch.stub, c, t) for t in texts))
        assert sorted(r.turn_index for r in replies) == list(range(50))
        stored = await orch.stub.GetConversation(pb.GetConversationRequest(conversation_id=c))
        assert stored.total_turns == 50 and len(stored.turns) == 100
        users = [t.text for t in stored.turns[::2]]
        assert sorted(users) == sorted(texts)
        by_index = {r.turn_index: r for r in replies}
        for i in range(50):  # each user turn is followed by its own reply
            assert stored.turns[2 * i].role == gen_pb.ROLE_USER
            assert stored.turns[2 * i + 1].text == by_index[i].reply


async def test_regenerate_over_grpc(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, answer_threshold=1.0,
                                    confirm_threshold=0.0) as orch:
        c = cid()
        asked = await chat(orch.stub, c, "요즘 잠을 못 자겠어")
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await orch.stub.Regenerate(pb.RegenerateRequest(conversation_id=c))
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "confirm question" in refused.value.details()
        answered = await chat(orch.stub, c, "응")
        again = await orch.stub.Regenerate(pb.RegenerateRequest(conversation_id=c,
                                                                persona="슬픔이"))
        assert again.regenerated and again.reply != answered.reply
        assert again.persona == "sadness" and again.turn_index == answered.turn_index == 1
        assert again.emotion.label == asked.emotion.label
        stored = await orch.stub.GetConversation(pb.GetConversationRequest(conversation_id=c))
        assert stored.total_turns == 2 and stored.turns[-1].text == again.reply
        assert stored.persona == "sadness" and stored.turns[0].channel == "grpc"


async def test_delete_erases_everything(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator) as orch:
        c = cid()
        await chat(orch.stub, c, "안녕")
        deleted = await orch.stub.DeleteConversation(
            pb.DeleteConversationRequest(conversation_id=c))
        assert deleted.deleted
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await orch.stub.GetConversation(pb.GetConversationRequest(conversation_id=c))
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND
        again = await orch.stub.DeleteConversation(
            pb.DeleteConversationRequest(conversation_id=c))
        assert not again.deleted


@pytest.mark.parametrize(("request_", "message"), [
    (pb.ChatRequest(conversation_id="", text="안녕"), "conversation_id is required"),
    (pb.ChatRequest(conversation_id="a b", text="안녕"), "conversation_id must be"),
    (pb.ChatRequest(conversation_id="ok", text="  "), "text is empty"),
    (pb.ChatRequest(conversation_id="ok", text="가" * 1001), "text has 1001 characters"),
    (pb.ChatRequest(conversation_id="ok", text="안녕", persona="joker"), "unknown persona"),
    (pb.ChatRequest(conversation_id="ok", text="안녕",
                    params=gen_pb.GenerationParams(temperature=5)), "temperature 5.0"),
])
async def test_bad_input_is_invalid_argument_and_stores_nothing(
        downstream, request_, message) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator) as orch:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await orch.stub.Chat(request_)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert message in raised.value.details()
        if request_.conversation_id == "ok":
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await orch.stub.GetConversation(pb.GetConversationRequest(conversation_id="ok"))
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_generator_down_falls_back_to_the_bank(downstream) -> None:
    classifier, _, _ = downstream
    async with running_orchestrator(classifier, "127.0.0.1:9", answer_threshold=0.0,
                                    confirm_threshold=0.0, downstream_retries=2) as orch:
        reply = await chat(orch.stub, cid(), "너무 피곤해")
        assert reply.reply and list(reply.degraded) == ["generator_unavailable"]
        assert orch.metric("orchestrator_degraded_turns_total",
                           {"reason": "generator_unavailable"}) == 1


async def test_classifier_stopped_mid_run_degrades_without_losing_turns(tiny_model_dir) -> None:
    async with running_generator() as generator:
        gen_target = f"127.0.0.1:{generator.runner.port}"
        classifier_cm = running_classifier(tiny_model_dir)
        classifier = await classifier_cm.__aenter__()
        try:
            async with running_orchestrator(f"127.0.0.1:{classifier.runner.port}", gen_target,
                                            answer_threshold=0.0, confirm_threshold=0.0,
                                            downstream_retries=2) as orch:
                c = cid()
                before = [await chat(orch.stub, c, f"멀쩡할 때 {i}") for i in range(3)]
                await classifier_cm.__aexit__(None, None, None)
                classifier_cm = None
                after = [await chat(orch.stub, c, f"분류기 없을 때 {i}") for i in range(3)]
                assert all(not r.degraded for r in before)
                assert all(list(r.degraded) == ["classifier_unavailable"] for r in after)
                assert all(r.kind == pb.REPLY_KIND_FALLBACK and r.reply for r in after)
                stored = await orch.stub.GetConversation(
                    pb.GetConversationRequest(conversation_id=c))
                assert stored.total_turns == 6 and len(stored.turns) == 12
                assert stored.turns[6].emotion == ""  # unknown emotion stored as such
        finally:
            if classifier_cm is not None:
                await classifier_cm.__aexit__(None, None, None)


async def test_bearer_token_auth(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator, auth_tokens="s3cret,other") as orch:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await chat(orch.stub, cid(), "안녕")
        assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.aio.AioRpcError) as wrong:
            await chat(orch.stub, cid(), "안녕", metadata=[("authorization", "Bearer nope")])
        assert wrong.value.code() == grpc.StatusCode.UNAUTHENTICATED
        ok = await chat(orch.stub, cid(), "안녕", metadata=[("authorization", "Bearer s3cret")])
        assert ok.reply
        events = orch.stub.ChatStream(pb.ChatRequest(conversation_id=cid(), text="안녕"))
        with pytest.raises(grpc.aio.AioRpcError) as streamed:
            async for _ in events:
                pass
        assert streamed.value.code() == grpc.StatusCode.UNAUTHENTICATED
        health = health_pb2_grpc.HealthStub(orch.channel)
        assert (await health.Check(health_pb2.HealthCheckRequest())).status == \
            health_pb2.HealthCheckResponse.SERVING


async def test_personas_are_listed(downstream) -> None:
    classifier, generator, _ = downstream
    async with running_orchestrator(classifier, generator) as orch:
        listed = await orch.stub.ListPersonas(gen_pb.ListPersonasRequest())
        assert listed.default_persona == "bingbong" and len(listed.personas) == 5
