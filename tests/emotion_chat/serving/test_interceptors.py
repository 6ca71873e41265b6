"""The error-mapping and metrics interceptors around a small real gRPC service."""

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import CollectorRegistry

from emotion_chat.errors import InvalidInputError, OverloadedError
from emotion_chat.serving.interceptors import (
    INTERNAL_ERROR_TEXT,
    RPC_TYPES,
    ErrorMappingInterceptor,
    RpcMetrics,
    RpcMetricsInterceptor,
    rpc_type,
    split_method,
)

HEALTH = "grpc.health.v1.Health"
CHECK = {"grpc_service": HEALTH, "grpc_method": "Check", "grpc_type": "unary"}
WATCH = {"grpc_service": HEALTH, "grpc_method": "Watch", "grpc_type": "server_stream"}


class Failing(health_pb2_grpc.HealthServicer):
    """Check fails according to the service name; Watch streams then fails."""

    async def Check(self, request: health_pb2.HealthCheckRequest, context):
        if request.service == "invalid":
            raise InvalidInputError("text is empty")
        if request.service == "full":
            raise OverloadedError("queue is full")
        if request.service == "bug":
            raise ValueError("secret internal detail")
        if request.service == "gone":
            context.set_code(grpc.StatusCode.NOT_FOUND)
            return health_pb2.HealthCheckResponse()
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    async def Watch(self, request, context) -> AsyncIterator[health_pb2.HealthCheckResponse]:
        yield health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)
        raise InvalidInputError("stream went wrong")


async def settled(read, expected, within_s: float = 2.0):
    """`read()` once it gives `expected`, or its last value after `within_s`: the server
    counts a call after its status is sent, so the client may look a moment too early."""
    deadline = asyncio.get_running_loop().time() + within_s
    value = read()
    while value != expected and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
        value = read()
    return value


@pytest.fixture
async def stub():
    registry = CollectorRegistry()
    server = grpc.aio.server(interceptors=[RpcMetricsInterceptor(RpcMetrics(registry)),
                                           ErrorMappingInterceptor()])
    health_pb2_grpc.add_HealthServicer_to_server(Failing(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield health_pb2_grpc.HealthStub(channel), registry
    await server.stop(0)


@pytest.mark.parametrize(("service", "code", "details"), [
    ("invalid", grpc.StatusCode.INVALID_ARGUMENT, "text is empty"),
    ("full", grpc.StatusCode.RESOURCE_EXHAUSTED, "queue is full"),
    ("bug", grpc.StatusCode.INTERNAL, INTERNAL_ERROR_TEXT),
])
async def test_domain_errors_become_status_codes(stub, service, code, details) -> None:
    health, registry = stub
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await health.Check(health_pb2.HealthCheckRequest(service=service))
    assert raised.value.code() == code
    assert raised.value.details() == details
    assert await settled(lambda: registry.get_sample_value(
        "grpc_server_handled_total", {**CHECK, "grpc_code": code.name}), 1) == 1


async def test_unexpected_errors_do_not_leak_details(stub) -> None:
    health, _ = stub
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await health.Check(health_pb2.HealthCheckRequest(service="bug"))
    assert "secret" not in (raised.value.details() or "")


async def test_streaming_errors_are_mapped_after_partial_output(stub) -> None:
    health, registry = stub
    call = health.Watch(health_pb2.HealthCheckRequest())
    first = await call.read()
    assert first.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call.read()
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert await settled(lambda: registry.get_sample_value(
        "grpc_server_handled_total", {**WATCH, "grpc_code": "INVALID_ARGUMENT"}), 1) == 1
    assert registry.get_sample_value("grpc_server_msg_sent_total", WATCH) == 1


async def test_success_is_counted_and_timed(stub) -> None:
    health, registry = stub
    for _ in range(3):
        await health.Check(health_pb2.HealthCheckRequest(service="ok"))
    assert registry.get_sample_value("grpc_server_started_total", CHECK) == 3
    assert await settled(lambda: registry.get_sample_value(
        "grpc_server_handled_total", {**CHECK, "grpc_code": "OK"}), 3) == 3
    assert registry.get_sample_value("grpc_server_handling_seconds_count", CHECK) == 3
    assert registry.get_sample_value("grpc_server_msg_received_total", CHECK) == 3
    assert registry.get_sample_value("grpc_server_msg_sent_total", CHECK) == 3
    assert registry.get_sample_value(
        "grpc_server_in_flight", {"grpc_service": HEALTH, "grpc_method": "Check"}) == 0


async def test_a_status_set_without_raising_is_counted(stub) -> None:
    health, registry = stub
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await health.Check(health_pb2.HealthCheckRequest(service="gone"))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert await settled(lambda: registry.get_sample_value(
        "grpc_server_handled_total", {**CHECK, "grpc_code": "NOT_FOUND"}), 1) == 1
    assert registry.get_sample_value(
        "grpc_server_handled_total", {**CHECK, "grpc_code": "OK"}) is None


def test_zero_series_for_every_method_of_the_named_services() -> None:
    registry = CollectorRegistry()
    RpcMetrics(registry).precreate([HEALTH])
    for labels in (CHECK, WATCH):
        assert registry.get_sample_value("grpc_server_started_total", labels) == 0
        assert registry.get_sample_value(
            "grpc_server_handled_total", {**labels, "grpc_code": "OK"}) == 0


@pytest.mark.parametrize(("request_streaming", "response_streaming", "kind"), [
    (False, False, "unary"), (True, False, "client_stream"), (False, True, "server_stream"),
    (True, True, "bidi_stream"),
])
def test_rpc_types(request_streaming, response_streaming, kind) -> None:
    assert rpc_type(request_streaming, response_streaming) == kind
    assert kind in RPC_TYPES


def test_full_method_names_split_into_service_and_method() -> None:
    assert split_method("/grpc.health.v1.Health/Check") == ("grpc.health.v1.Health", "Check")
