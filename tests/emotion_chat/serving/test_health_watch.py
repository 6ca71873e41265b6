"""grpc.health.v1 Watch through the shared interceptors: client-side health checking (the
orchestrator's channels) depends on it. grpcio's health servicer writes Watch's responses
with context.write() from a coroutine; the interceptors once broke it with INTERNAL."""

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from servers import running_generator

from emotion_chat.serving.runner import NOT_SERVING, SERVING

SERVICE = "emotion_chat.v1.GeneratorService"


async def test_watch_streams_the_status_and_its_changes() -> None:
    async with running_generator() as generator, \
            grpc.aio.insecure_channel(generator.target) as channel:
        call = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service=SERVICE), timeout=10)
        seen = [(await call.read()).status]
        await generator.runner.health.set(SERVICE, NOT_SERVING)
        seen.append((await call.read()).status)
        await generator.runner.health.set(SERVICE, SERVING)
        seen.append((await call.read()).status)
        call.cancel()
    assert seen == [SERVING, NOT_SERVING, SERVING]


async def test_readiness_published_by_a_service_reaches_health() -> None:
    async with running_generator() as generator:
        runner = generator.runner
        runner._publish_readiness(False)
        await asyncio.sleep(0.05)
        async with grpc.aio.insecure_channel(generator.target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            status = (await stub.Check(health_pb2.HealthCheckRequest(service=SERVICE))).status
            assert status == NOT_SERVING
            runner._publish_readiness(True)
            await asyncio.sleep(0.05)
            status = (await stub.Check(health_pb2.HealthCheckRequest(service=""))).status
            assert status == SERVING
