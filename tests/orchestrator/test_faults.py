"""Fault injection on the real stack: service processes on 127.0.0.1, two orchestrator
replicas on a Redis this module starts (AOF, fsync always), a bounded load of retrying
clients (benchmarks.faults), and SIGKILL / restart / SIGTERM of what it started.

Per fault it asserts what the issue's targets say: no acknowledged turn lost, none stored
twice although clients retry with the same request id, a restarted classifier or generator
used again within 1 s of SERVING, a dead replica's conversations free within 5 s, the
store outage answered UNAVAILABLE with NOT_SERVING and recovered. The figures go to the
test's output (`-s`) and, with EMOTION_CHAT_FAULTS_REPORT=FILE, to a JSON file.
"""

import asyncio
import json
import os
import signal
import time
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from redis_server import OwnRedis, free_port

from benchmarks.faults import RetryingLoad, check_stored
from emotion_chat_cli.launch import ServiceProcess, start_service

LOAD_CLIENTS = 6
FIGURES: dict[str, dict[str, object]] = {}


class Stack:
    def __init__(self, model_dir: str, redis: OwnRedis) -> None:
        self.model_dir = model_dir
        self.redis = redis
        self.ports = {name: free_port() for name in ("classifier", "generator", "a", "b")}
        self.processes: dict[str, ServiceProcess] = {}

    def start(self, name: str) -> float:
        """Start (or restart on its old port) one process; returns when it was SERVING."""
        port = str(self.ports[name])
        if name == "classifier":
            process = start_service("classifier", [
                "--model", self.model_dir, "--host", "127.0.0.1", "--port", port,
                "--metrics-port", "0", "--grace-period-s", "2"], timeout=120)
        elif name == "generator":
            process = start_service("generator", [
                "--host", "127.0.0.1", "--port", port, "--metrics-port", "0",
                "--grace-period-s", "2"], timeout=120)
        else:
            process = start_service("orchestrator", [
                "--host", "127.0.0.1", "--port", port, "--metrics-port", "0",
                "--http-port", "0", "--store-url", self.redis.url,
                "--classifier-target", f"127.0.0.1:{self.ports['classifier']}",
                "--generator-target", f"127.0.0.1:{self.ports['generator']}",
                "--answer-threshold", "0", "--confirm-threshold", "0",
                # every acknowledged turn must still be there to be checked
                "--max-stored-turns", "10000", "--grace-period-s", "3"], timeout=120)
        self.processes[name] = process
        return time.monotonic()

    def kill(self, name: str) -> float:
        process = self.processes[name].process
        process.send_signal(signal.SIGKILL)
        process.wait()
        return time.monotonic()

    def target(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    @property
    def replicas(self) -> list[str]:
        return [self.target("a"), self.target("b")]

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop(10)


@pytest.fixture(scope="module")
def stack(tiny_model_dir, tmp_path_factory):
    redis = OwnRedis(tmp_path_factory.mktemp("redis"))
    redis.start()
    running = Stack(str(tiny_model_dir), redis)
    try:
        for name in ("classifier", "generator", "a", "b"):
            running.start(name)
        yield running
    finally:
        running.stop()
        redis.kill()
    report = os.environ.get("EMOTION_CHAT_FAULTS_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as out:
            json.dump(FIGURES, out, indent=2)


def record(fault: str, **figures: object) -> None:
    FIGURES[fault] = figures
    print(f"\n{fault}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


async def health_of(target: str) -> int:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            answer = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=2)
        except grpc.aio.AioRpcError:
            return -1
        return answer.status


def load(stack: Stack, targets: list[str] | None = None) -> RetryingLoad:
    return RetryingLoad(targets or stack.replicas, LOAD_CLIENTS,
                        f"fault-{uuid.uuid4().hex[:8]}", pause_s=0.01)


async def restart_dependency(stack: Stack, name: str, reason: str) -> None:
    traffic = load(stack)
    await traffic.start()
    await asyncio.sleep(1.0)
    killed = await asyncio.to_thread(stack.kill, name)
    await asyncio.sleep(1.5)  # the turns go on, degraded
    serving = await asyncio.to_thread(stack.start, name)
    await asyncio.sleep(2.0)
    report = await traffic.stop()
    stored = await check_stored(stack.target("b"), report)
    recovery = report.first_clean_after(serving, reason)
    degraded = sum(reason in a.degraded for a in report.answers if a.at >= killed)
    record(f"SIGKILL {name}", acknowledged=stored.acknowledged, lost=stored.lost,
           duplicated=stored.duplicated, degraded_turns=degraded,
           failed_attempts=dict(report.failures),
           recovery_after_serving_s=None if recovery is None else round(recovery, 3))
    assert stored.lost == 0 and stored.duplicated == 0
    assert not report.errors, report.errors
    assert degraded > 0, "the turns did not notice the dependency was gone"
    assert not report.failures, "a dependency down must degrade turns, not fail them"
    assert recovery is not None and recovery <= 1.0


async def test_classifier_killed_and_restarted(stack) -> None:
    await restart_dependency(stack, "classifier", "classifier_unavailable")


async def test_generator_killed_and_restarted(stack) -> None:
    await restart_dependency(stack, "generator", "generator_unavailable")


async def test_one_of_two_replicas_killed_mid_turn(stack) -> None:
    traffic = load(stack)
    await traffic.start()
    await asyncio.sleep(1.5)
    killed = await asyncio.to_thread(stack.kill, "a")
    await asyncio.sleep(5.0)  # the clients move to b; a's locks run out
    await asyncio.to_thread(stack.start, "a")
    await asyncio.sleep(1.0)
    report = await traffic.stop()
    stored = await check_stored(stack.target("b"), report)
    # a turn caught by the kill: its first attempt was on a, its acknowledgement from b
    caught = report.max_latency_between(killed - 2.0, killed)
    record("SIGKILL one orchestrator replica", acknowledged=stored.acknowledged,
           lost=stored.lost, duplicated=stored.duplicated,
           replayed_or_retried=sum(a.attempts > 1 for a in report.answers),
           failed_attempts=dict(report.failures),
           longest_caught_turn_s=round(caught, 3))
    assert stored.lost == 0 and stored.duplicated == 0
    assert not report.errors, report.errors
    assert caught < 5.0, "a dead replica's conversation was not free within 5 s"


async def test_redis_outage(stack) -> None:
    traffic = load(stack)
    await traffic.start()
    await asyncio.sleep(1.0)
    await asyncio.to_thread(stack.redis.kill)
    down = time.monotonic()
    statuses = []
    for _ in range(30):  # health turns NOT_SERVING while the store is unreachable
        statuses = [await health_of(t) for t in stack.replicas]
        if all(s == health_pb2.HealthCheckResponse.NOT_SERVING for s in statuses):
            break
        await asyncio.sleep(0.1)
    not_serving_after = time.monotonic() - down
    assert all(s == health_pb2.HealthCheckResponse.NOT_SERVING for s in statuses), statuses
    await asyncio.sleep(1.0)
    await asyncio.to_thread(stack.redis.start)
    up = time.monotonic()
    for _ in range(50):
        statuses = [await health_of(t) for t in stack.replicas]
        if all(s == health_pb2.HealthCheckResponse.SERVING for s in statuses):
            break
        await asyncio.sleep(0.1)
    serving_after = time.monotonic() - up
    await asyncio.sleep(1.5)
    report = await traffic.stop()
    stored = await check_stored(stack.target("b"), report)
    first_ack = min((a.at - up for a in report.answers if a.at > up), default=None)
    record("Redis outage (SIGKILL, restart with its AOF)", acknowledged=stored.acknowledged,
           lost=stored.lost, duplicated=stored.duplicated,
           failed_attempts=dict(report.failures),
           not_serving_after_s=round(not_serving_after, 3),
           serving_after_redis_up_s=round(serving_after, 3),
           first_turn_after_redis_up_s=None if first_ack is None else round(first_ack, 3))
    assert all(s == health_pb2.HealthCheckResponse.SERVING for s in statuses), statuses
    assert stored.lost == 0 and stored.duplicated == 0
    assert not report.errors, report.errors
    assert set(report.failures) <= {"UNAVAILABLE"}, report.failures
    assert report.failures["UNAVAILABLE"] > 0


async def test_sigterm_drains_in_flight_turns(stack) -> None:
    traffic = load(stack)
    await traffic.start()
    await asyncio.sleep(1.0)
    process = stack.processes["a"]
    began = time.monotonic()
    code = await asyncio.to_thread(process.stop, 20)
    drained = time.monotonic() - began
    await asyncio.sleep(1.0)
    report = await traffic.stop()
    stored = await check_stored(stack.target("b"), report)
    record("SIGTERM one orchestrator replica", acknowledged=stored.acknowledged,
           lost=stored.lost, duplicated=stored.duplicated,
           failed_attempts=dict(report.failures), exit_code=code,
           drain_s=round(drained, 3))
    assert code == 0 and drained < 3 + 5
    assert stored.lost == 0 and stored.duplicated == 0
    assert not report.errors, report.errors
    await asyncio.to_thread(stack.start, "a")
