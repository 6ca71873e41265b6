"""Metrics conventions on every service's real /metrics endpoint: the go-grpc-prometheus
series (`grpc_service`, `grpc_method`, `grpc_type`; health checks apart from traffic), zero
series before the first call, the process collectors, and `promtool check metrics` clean."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families
from servers import (
    RunningService,
    running_classifier,
    running_generator,
    running_orchestrator,
    running_recommender,
)

from emotion_chat.taxonomy import CORE_LABELS
from emotion_chat.v1 import classifier_pb2, generator_pb2, orchestrator_pb2, recommender_pb2
from orchestrator.core.types import Channel, Degradation, ReplyKind

HEALTH = "grpc.health.v1.Health"
CLASSIFIER = "emotion_chat.v1.ClassifierService"
GENERATOR = "emotion_chat.v1.GeneratorService"
RECOMMENDER = "emotion_chat.v1.RecommenderService"
CHAT = "emotion_chat.v1.ChatService"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def promtool() -> str:
    """promtool beside the tests' Python (where `make test` unpacks it), else on PATH."""
    beside = Path(sys.executable).parent / "promtool"
    found = str(beside) if beside.exists() else shutil.which("promtool")
    assert found, "run scripts/install_promtool.sh (make test does)"
    return found


async def scrape(server: RunningService) -> str:
    url = f"http://127.0.0.1:{server.runner.metrics_port}/metrics"

    def get() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    return await asyncio.to_thread(get)


def samples(text: str) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def rpc(service: str, method: str, kind: str = "unary") -> dict[str, str]:
    return {"grpc_service": service, "grpc_method": method, "grpc_type": kind}


def lint(text: str) -> str:
    result = subprocess.run([promtool(), "check", "metrics"], input=text, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


async def check_health(server: RunningService, service: str = "") -> None:
    stub = health_pb2_grpc.HealthStub(server.channel)
    reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


@pytest.fixture(scope="module")
async def classifier(tiny_model_dir):
    async with running_classifier(tiny_model_dir) as running:
        yield running


async def test_every_method_has_zero_series_before_the_first_call(tiny_model_dir) -> None:
    async with running_classifier(tiny_model_dir) as server:
        found = samples(await scrape(server))
    for service, method, kind in ((CLASSIFIER, "Classify", "unary"),
                                  (CLASSIFIER, "ClassifyStream", "bidi_stream"),
                                  (CLASSIFIER, "GetModelInfo", "unary"),
                                  (HEALTH, "Check", "unary"), (HEALTH, "Watch", "server_stream")):
        labels = rpc(service, method, kind)
        assert value(found, "grpc_server_started_total", **labels) == 0, labels
        assert value(found, "grpc_server_handled_total", **labels, grpc_code="OK") == 0
        assert value(found, "grpc_server_msg_received_total", **labels) == 0
        assert value(found, "grpc_server_msg_sent_total", **labels) == 0
        assert value(found, "grpc_server_in_flight", grpc_service=service,
                     grpc_method=method) == 0
    assert value(found, "classifier_texts_total", priority="interactive") == 0
    assert value(found, "classifier_texts_total", priority="bulk") == 0


async def test_traffic_and_health_checks_are_counted_apart(classifier) -> None:
    before = samples(await scrape(classifier))
    await classifier.stub.Classify(classifier_pb2.ClassifyRequest(texts=["오늘 정말 좋다"]))
    await check_health(classifier)
    await check_health(classifier, CLASSIFIER)

    async def requests():
        for i in range(3):
            yield classifier_pb2.ClassifyStreamRequest(id=str(i), text=f"문장 {i}")
    answers = [a async for a in classifier.stub.ClassifyStream(requests())]
    assert len(answers) == 3
    after = samples(await scrape(classifier))

    def grew(name: str, **labels: str) -> float:
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    classify = rpc(CLASSIFIER, "Classify")
    assert grew("grpc_server_started_total", **classify) == 1
    assert grew("grpc_server_handled_total", **classify, grpc_code="OK") == 1
    assert grew("grpc_server_handling_seconds_count", **classify) == 1
    assert grew("grpc_server_msg_received_total", **classify) == 1
    assert grew("grpc_server_msg_sent_total", **classify) == 1
    check = rpc(HEALTH, "Check")
    assert grew("grpc_server_started_total", **check) == 2
    assert grew("grpc_server_handled_total", **check, grpc_code="OK") == 2
    stream = rpc(CLASSIFIER, "ClassifyStream", "bidi_stream")
    assert grew("grpc_server_started_total", **stream) == 1
    assert grew("grpc_server_handled_total", **stream, grpc_code="OK") == 1
    assert grew("grpc_server_msg_received_total", **stream) == 3
    assert grew("grpc_server_msg_sent_total", **stream) == 3
    assert value(after, "grpc_server_in_flight", grpc_service=CLASSIFIER,
                 grpc_method="ClassifyStream") == 0
    # The traffic of the service itself, without health checks and reflection:
    traffic = sum(v for (name, labels), v in after.items()
                  if name == "grpc_server_started_total"
                  and ("grpc_service", CLASSIFIER) in labels)
    assert traffic == sum(v for (name, labels), v in before.items()
                          if name == "grpc_server_started_total"
                          and ("grpc_service", CLASSIFIER) in labels) + 2


async def test_failed_calls_are_counted_with_their_code(classifier) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await health_pb2_grpc.HealthStub(classifier.channel).Check(
            health_pb2.HealthCheckRequest(service="no.such.Service"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    found = samples(await scrape(classifier))
    assert value(found, "grpc_server_handled_total", **rpc(HEALTH, "Check"),
                 grpc_code="NOT_FOUND") == 1


async def test_process_platform_and_gc_collectors(classifier) -> None:
    found = {name for name, _ in samples(await scrape(classifier))}
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes",
            "process_start_time_seconds", "process_open_fds", "python_info",
            "python_gc_objects_collected_total"} <= found


async def test_promtool_finds_nothing_on_any_service(tiny_model_dir, music_index_dir) -> None:
    async with running_classifier(tiny_model_dir) as classifier, \
            running_generator() as generator, \
            running_recommender(music_index_dir) as recommender, \
            running_orchestrator(classifier.target, generator.target,
                                 recommender_target=recommender.target) as orch:
        conversation = f"m-{uuid.uuid4().hex[:10]}"
        await orch.stub.Chat(orchestrator_pb2.ChatRequest(conversation_id=conversation,
                                                          text="오늘 너무 행복해"))
        async with httpx.AsyncClient(base_url=orch.http_url, timeout=20) as http:
            turn = await http.post(f"/v1/conversations/{conversation}/messages",
                                   json={"text": "시험 망쳤어"})
            assert turn.status_code == 200
        await generator.stub.ListPersonas(generator_pb2.ListPersonasRequest())
        await recommender.stub.GetCatalogInfo(recommender_pb2.GetCatalogInfoRequest())
        for server in (orch, classifier, generator, recommender):
            await check_health(server)
        texts = {server.service.name: await scrape(server)
                 for server in (orch, classifier, generator, recommender)}
    for name, text in texts.items():
        assert lint(text) == "", name
        found = samples(text)
        assert (value(found, "grpc_server_handled_total", **rpc(HEALTH, "Check"),
                      grpc_code="OK") or 0) >= 1, name
    orchestrator = samples(texts["orchestrator"])
    assert value(orchestrator, "grpc_server_handled_total", **rpc(CHAT, "Chat"),
                 grpc_code="OK") == 1
    assert value(orchestrator, "grpc_server_started_total",
                 **rpc(CHAT, "ChatStream", "server_stream")) == 0
    for reason in Degradation:
        assert value(orchestrator, "orchestrator_degraded_turns_total",
                     reason=reason.value) is not None
    for channel in Channel:
        assert value(orchestrator, "orchestrator_regenerated_replies_total",
                     channel=channel.value) == 0
    kinds = {dict(labels)["kind"] for name, labels in orchestrator
             if name == "orchestrator_turns_total"}
    assert kinds == {k.value for k in ReplyKind}
    generated = samples(texts["generator"])
    assert value(generated, "grpc_server_handled_total", **rpc(GENERATOR, "ListPersonas"),
                 grpc_code="OK") == 1
    assert value(generated, "generator_in_flight", backend="bank") == 0
    recommended = samples(texts["recommender"])
    assert value(recommended, "grpc_server_handled_total",
                 **rpc(RECOMMENDER, "GetCatalogInfo"), grpc_code="OK") == 1
    assert all(value(recommended, "recommender_recommendations_total", emotion=e) is not None
               for e in CORE_LABELS)
