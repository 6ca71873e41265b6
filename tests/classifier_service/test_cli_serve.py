"""Black-box: `emotion-chat serve classifier` as a subprocess, driven by the official client."""

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from classifier_service.service import SERVICE_NAME
from emotion_chat.v1 import classifier_pb2 as pb
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc
from emotion_chat_cli.launch import start_service


@pytest.fixture(scope="module")
def served(tiny_model_dir):
    process = start_service("classifier", [
        "--model", str(tiny_model_dir), "--host", "127.0.0.1", "--port", "0",
        "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--max-queue-delay-ms", "20",
        "--grace-period-s", "5"], timeout=120)
    yield process
    process.stop()


def metrics_text(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics")


def test_health_is_serving_and_korean_text_is_classified(served) -> None:
    with grpc.insecure_channel(served.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for name in ("", SERVICE_NAME):
            assert health.Check(health_pb2.HealthCheckRequest(service=name)).status == \
                health_pb2.HealthCheckResponse.SERVING
        stub = pb_grpc.ClassifierServiceStub(channel)
        response = stub.Classify(pb.ClassifyRequest(texts=["오늘 정말 기분 좋다!"]), timeout=10)
        assert len(response.results[0].scores) == 7


def test_64_concurrent_single_text_requests_are_served_in_batches(served) -> None:
    before = metrics_text(served.metrics_port)
    batches_before = sample(before, "classifier_batch_size_count")
    with grpc.insecure_channel(served.target) as channel:
        stub = pb_grpc.ClassifierServiceStub(channel)
        with ThreadPoolExecutor(64) as pool:
            futures = [pool.submit(stub.Classify, pb.ClassifyRequest(texts=[f"요청 {i}번 왔어"]),
                                   timeout=30) for i in range(64)]
            results = [f.result() for f in futures]
    assert all(len(r.results) == 1 for r in results)
    after = metrics_text(served.metrics_port)
    batches = sample(after, "classifier_batch_size_count") - batches_before
    assert 1 <= batches < 64 / 2, f"{batches} batches for 64 requests"
    classify = (f'{{grpc_code="OK",grpc_method="Classify",grpc_service="{SERVICE_NAME}",'
                'grpc_type="unary"}')
    assert sample(after, "grpc_server_handled_total" + classify) - \
        sample(before, "grpc_server_handled_total" + classify) == 64
    assert "classifier_stage_duration_seconds_bucket" in after


def test_cli_client_prints_labels(served, capsys) -> None:
    from emotion_chat_cli.main import main

    assert main(["classify", "--target", served.target, "짜증나 진짜", "--top-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "짜증나 진짜" in out and "inference" in out


def test_sigterm_drains_and_exits_cleanly(tiny_model_dir) -> None:
    process = start_service("classifier", [
        "--model", str(tiny_model_dir), "--host", "127.0.0.1", "--port", "0",
        "--metrics-port", "0", "--grace-period-s", "2"], timeout=120)
    assert process.stop(timeout=20) == 0
    assert "classifier: stopped" in process.log_tail()
