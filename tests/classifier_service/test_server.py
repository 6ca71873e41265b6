"""A real classifier server (in-process, free port, tiny ONNX model) through real gRPC."""

import asyncio

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from servers import gate, running_classifier
from tiny_models import INSIDE_OUT_LABELS, INSIDE_OUT_THRESHOLDS, SINGLE_LABELS

from classifier_service.service import SERVICE_NAME
from emotion_chat.v1 import classifier_pb2 as pb

TEXTS = ["오늘 시험 끝나서 너무 행복해!", "내일 발표가 걱정돼요", "아 짜증나",
         "친구가 내 생일을 잊어버려서 서운했어. 나만 챙기는 것 같아서 속상하다",
         "주말에 도서관 갈 거야", "엘리베이터에서 방귀 뀌었는데 사람이 탔어ㅋㅋ 진짜 민망해",
         "강아지가 아파서 병원에 다녀왔어요", "합격!!!"]


def scores_by_label(result: pb.Classification) -> dict[str, float]:
    return {s.label: s.score for s in result.scores}


async def test_classifies_korean_text_with_sorted_scores(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir) as server:
        response = await server.stub.Classify(pb.ClassifyRequest(texts=TEXTS[:3]))
        assert len(response.results) == 3
        for result in response.results:
            scores = [s.score for s in result.scores]
            assert [s.label for s in result.scores] != []
            assert scores == sorted(scores, reverse=True)
            assert sorted(s.label for s in result.scores) == sorted(SINGLE_LABELS)
            assert sum(scores) == pytest.approx(1.0, abs=1e-5)
            assert [s.active for s in result.scores] == [True] + [False] * 6
            assert result.num_tokens > 2 and not result.truncated
        assert response.model_version == "test-1"
        assert response.timings.total_ms >= response.timings.inference_ms > 0
        top2 = await server.stub.Classify(pb.ClassifyRequest(texts=TEXTS[:1], top_k=2))
        assert [s.label for s in top2.results[0].scores] == \
            [s.label for s in response.results[0].scores[:2]]


async def test_concurrent_requests_are_batched_and_equal_unbatched(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir, max_batch_size=1) as alone, \
            running_classifier(tiny_model_dir, max_batch_size=32, max_queue_delay_ms=200,
                               max_padding_ratio=1.0) as batched:
        expected = [scores_by_label((await alone.stub.Classify(
            pb.ClassifyRequest(texts=[t]))).results[0]) for t in TEXTS]
        responses = await asyncio.gather(*(
            batched.stub.Classify(pb.ClassifyRequest(texts=[t])) for t in TEXTS))
        for want, response in zip(expected, responses, strict=True):
            got = scores_by_label(response.results[0])
            assert got.keys() == want.keys()
            assert max(abs(got[k] - want[k]) for k in want) <= 1e-5
        batches = batched.metric("classifier_batch_size_count")
        assert batches is not None and batches < len(TEXTS)
        assert batched.metric("classifier_batch_size_sum") == len(TEXTS)
        assert alone.metric("classifier_batch_size_count") == len(TEXTS)


async def test_multi_label_inside_out_model(inside_out_model_dir) -> None:
    async with running_classifier(inside_out_model_dir) as server:
        info = await server.stub.GetModelInfo(pb.GetModelInfoRequest())
        assert info.problem_type == pb.PROBLEM_TYPE_MULTI_LABEL
        assert list(info.labels) == list(INSIDE_OUT_LABELS)
        assert list(info.thresholds) == pytest.approx(
            [INSIDE_OUT_THRESHOLDS[label] for label in INSIDE_OUT_LABELS])
        response = await server.stub.Classify(pb.ClassifyRequest(texts=TEXTS))
        sums = []
        for result in response.results:
            for s in result.scores:
                assert 0 < s.score < 1
                assert s.active == (s.score >= INSIDE_OUT_THRESHOLDS[s.label] - 1e-7)
            sums.append(sum(s.score for s in result.scores))
        assert not np.allclose(sums, 1.0)  # independent sigmoids, not a softmax


async def test_truncation_is_flagged(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir) as server:
        long_text = "오늘 하루는 정말 길고 힘들었지만 그래도 괜찮아 " * 40
        response = await server.stub.Classify(pb.ClassifyRequest(texts=[long_text, "짧아"]))
        assert response.results[0].truncated and response.results[0].num_tokens == 128
        assert not response.results[1].truncated
        assert server.metric("classifier_truncated_texts_total") == 1


@pytest.mark.parametrize(("texts", "message"), [
    ([], "texts is empty"),
    ([""], "texts[0] is empty"),
    (["좋아", "   "], "texts[1] is empty"),
    (["a"] * 5, "5 texts in one request, more than the limit of 4"),
    (["가" * 301], "texts[0] has 301 characters"),
    (["좋아\x00\x01"], "control characters (U+0000, U+0001)"),
])
async def test_bad_input_is_invalid_argument_and_the_server_keeps_serving(
        tiny_model_dir, texts, message) -> None:
    async with running_classifier(tiny_model_dir, max_texts_per_request=4,
                                  max_text_chars=300) as server:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await server.stub.Classify(pb.ClassifyRequest(texts=texts))
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert message in raised.value.details()
        ok = await server.stub.Classify(pb.ClassifyRequest(texts=["괜찮아"]))
        assert len(ok.results) == 1
        assert server.service.core.batcher.depth == 0


async def test_undecodable_bytes_are_invalid_argument(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir) as server:
        raw = server.channel.unary_unary(
            f"/{SERVICE_NAME}/Classify", request_serializer=lambda b: b,
            response_deserializer=lambda b: b)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await raw(b"\x0a\x03\xff\xfe\xfd")  # field 1 (texts) holding bad UTF-8
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "not a valid message" in raised.value.details()


async def test_full_queue_is_resource_exhausted(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir, max_queue_size=2, max_batch_size=1) as server:
        gated = gate(server)
        gated.open.clear()
        first = asyncio.ensure_future(server.stub.Classify(pb.ClassifyRequest(texts=["하나"])))
        await asyncio.sleep(0.2)  # now inside the model, the queue is empty
        queued = asyncio.ensure_future(server.stub.Classify(pb.ClassifyRequest(texts=["둘", "셋"])))
        await asyncio.sleep(0.2)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await server.stub.Classify(pb.ClassifyRequest(texts=["넷"]))
        assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "queue is full" in raised.value.details()
        gated.open.set()
        assert len((await first).results) == 1 and len((await queued).results) == 2
        assert server.metric("grpc_server_handled_total", {
            "grpc_service": SERVICE_NAME, "grpc_method": "Classify", "grpc_type": "unary",
            "grpc_code": "RESOURCE_EXHAUSTED"}) == 1


async def test_expired_requests_are_dropped_before_inference(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir, max_batch_size=1) as server:
        gated = gate(server)
        gated.open.clear()
        blocker = asyncio.ensure_future(server.stub.Classify(pb.ClassifyRequest(texts=["하나"])))
        await asyncio.sleep(0.2)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await server.stub.Classify(pb.ClassifyRequest(texts=["늦었어"]), timeout=0.3)
        assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        gated.open.set()
        await blocker
        ok = await server.stub.Classify(pb.ClassifyRequest(texts=["다음"]))
        assert len(ok.results) == 1
        assert gated.batch_sizes == [1, 1]  # the expired text never reached the model
        dropped = sum(server.metric("classifier_dropped_texts_total", {"reason": r}) or 0
                      for r in ("cancelled", "deadline"))
        assert dropped == 1


async def test_a_failing_batch_fails_each_of_its_requests(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir, max_batch_size=8, max_queue_delay_ms=200,
                                  max_padding_ratio=1.0) as server:
        gated = gate(server)
        gated.fail_with = RuntimeError("CUDA error: an illegal memory access")
        calls = [server.stub.Classify(pb.ClassifyRequest(texts=[t])) for t in TEXTS[:4]]
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert gated.batch_sizes == [4]
        for result in results:
            assert isinstance(result, grpc.aio.AioRpcError)
            assert result.code() == grpc.StatusCode.INTERNAL
            assert result.details() == "inference failed for a batch of 4 texts"
        gated.fail_with = None
        assert len((await server.stub.Classify(pb.ClassifyRequest(texts=["다시"]))).results) == 1


async def test_stream_answers_in_order_with_ids(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir, stream_window=8, max_queue_size=16) as server:
        texts = [TEXTS[i % len(TEXTS)] + f" {i}" for i in range(100)]

        async def requests():
            for i, text in enumerate(texts):
                yield pb.ClassifyStreamRequest(id=f"row-{i}", text=text, top_k=1)

        unary = await server.stub.Classify(pb.ClassifyRequest(texts=texts[:3], top_k=1))
        answers = [a async for a in server.stub.ClassifyStream(requests())]
        assert [a.id for a in answers] == [f"row-{i}" for i in range(100)]
        assert all(len(a.result.scores) == 1 for a in answers)
        for a, u in zip(answers[:3], unary.results, strict=True):
            assert a.result.scores[0].label == u.scores[0].label
            assert a.result.scores[0].score == pytest.approx(u.scores[0].score, abs=1e-5)
        assert server.metric("classifier_texts_total", {"priority": "bulk"}) == 100


async def test_stream_rejects_a_bad_item_with_its_id(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir) as server:
        async def requests():
            yield pb.ClassifyStreamRequest(id="a", text="좋아")
            yield pb.ClassifyStreamRequest(id="b", text=" ")

        call = server.stub.ClassifyStream(requests())
        first = await call.read()
        assert first.id == "a"
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call.read()
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "stream item 1 (id 'b') text is empty" in raised.value.details()


async def test_model_info(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir, max_batch_size=12) as server:
        info = await server.stub.GetModelInfo(pb.GetModelInfoRequest())
        assert list(info.labels) == list(SINGLE_LABELS)
        assert info.problem_type == pb.PROBLEM_TYPE_SINGLE_LABEL
        assert info.max_length == 128
        assert info.execution_provider == "CPUExecutionProvider"
        assert info.model_version == "test-1"
        assert info.batching.max_batch_size == 12
        assert info.batching.max_texts_per_request == 256
        assert server.metric("classifier_model_info", {
            "name": info.model_name, "version": "test-1",
            "execution_provider": "CPUExecutionProvider",
            "problem_type": "single_label_classification"}) == 1


async def test_health_is_not_serving_until_the_model_is_warm(tiny_model_dir) -> None:
    from servers import classifier_settings

    from classifier_service.service import ClassifierService
    from emotion_chat.serving import ServiceRunner

    settings = classifier_settings(tiny_model_dir)
    service = ClassifierService(settings)
    loaded = asyncio.Event()
    real_startup = service.startup

    async def slow_startup() -> None:
        await loaded.wait()
        await real_startup()

    service.startup = slow_startup  # type: ignore[method-assign]
    runner = ServiceRunner(service, settings)
    starting = asyncio.create_task(runner.start())
    while runner.server is None:  # noqa: ASYNC110 - polling the runner under test
        await asyncio.sleep(0.01)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{runner.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for name in ("", SERVICE_NAME):
            status = await health.Check(health_pb2.HealthCheckRequest(service=name))
            assert status.status == health_pb2.HealthCheckResponse.NOT_SERVING
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await pb_stub(channel).Classify(pb.ClassifyRequest(texts=["안녕"]))
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
        loaded.set()
        await starting
        for name in ("", SERVICE_NAME):
            status = await health.Check(health_pb2.HealthCheckRequest(service=name))
            assert status.status == health_pb2.HealthCheckResponse.SERVING
        await runner.stop()


def pb_stub(channel):
    from emotion_chat.v1 import classifier_pb2_grpc

    return classifier_pb2_grpc.ClassifierServiceStub(channel)


async def test_reflection_lists_the_services(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir) as server:
        stub = reflection_pb2_grpc.ServerReflectionStub(server.channel)

        async def ask():
            yield reflection_pb2.ServerReflectionRequest(list_services="")

        names = [s.name async for r in stub.ServerReflectionInfo(ask())
                 for s in r.list_services_response.service]
        assert SERVICE_NAME in names
        assert "grpc.health.v1.Health" in names
