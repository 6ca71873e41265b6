"""Orchestrator replicas sharing the real Redis on 127.0.0.1:6379 (black-box processes)."""

import asyncio
import uuid

import grpc
import pytest
from redis.asyncio import Redis
from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc
from emotion_chat_cli.launch import start_service

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(scope="module")
async def downstream(tiny_model_dir):
    async with running_classifier(tiny_model_dir) as classifier, running_generator() as gen:
        yield f"127.0.0.1:{classifier.runner.port}", f"127.0.0.1:{gen.runner.port}"


@pytest.fixture
async def conversation():
    c = f"redis-{uuid.uuid4().hex[:10]}"
    yield c
    redis = Redis.from_url(REDIS_URL)
    keys = [k async for k in redis.scan_iter(f"emotion-chat:{{{c}}}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


def orchestrator_process(downstream):
    classifier, generator = downstream
    return start_service("orchestrator", [
        "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--http-port", "0",
        "--classifier-target", classifier, "--generator-target", generator,
        "--store-url", REDIS_URL, "--answer-threshold", "0", "--confirm-threshold", "0",
        "--grace-period-s", "2"], timeout=60)


async def say(target: str, conversation: str, text: str) -> pb.ChatResponse:
    async with grpc.aio.insecure_channel(target) as channel:
        return await pb_grpc.ChatServiceStub(channel).Chat(
            pb.ChatRequest(conversation_id=conversation, text=text), timeout=20)


async def stored(target: str, conversation: str) -> pb.Conversation:
    async with grpc.aio.insecure_channel(target) as channel:
        return await pb_grpc.ChatServiceStub(channel).GetConversation(
            pb.GetConversationRequest(conversation_id=conversation), timeout=10)


async def test_history_survives_an_orchestrator_restart(downstream, conversation) -> None:
    first = await asyncio.to_thread(orchestrator_process, downstream)
    try:
        await say(first.target, conversation, "오늘 회사에서 칭찬받았어")
        await say(first.target, conversation, "근데 내일은 발표야")
    finally:
        await asyncio.to_thread(first.stop)
    second = await asyncio.to_thread(orchestrator_process, downstream)
    try:
        before = await stored(second.target, conversation)
        assert before.total_turns == 2 and len(before.turns) == 4
        third = await say(second.target, conversation, "떨린다")
        assert third.turn_index == 2
    finally:
        await asyncio.to_thread(second.stop)


async def test_two_replicas_serve_one_conversation_alternately(downstream, conversation) -> None:
    replicas = await asyncio.gather(asyncio.to_thread(orchestrator_process, downstream),
                                    asyncio.to_thread(orchestrator_process, downstream))
    try:
        targets = [r.target for r in replicas]
        sequential = [await say(targets[i % 2], conversation, f"번갈아 {i}") for i in range(6)]
        assert [r.turn_index for r in sequential] == list(range(6))
        # and both at once: 20 turns split over the replicas, none lost
        concurrent = await asyncio.gather(*(say(targets[i % 2], conversation, f"동시에 {i}")
                                            for i in range(20)))
        assert sorted(r.turn_index for r in concurrent) == list(range(6, 26))
        final = await stored(targets[0], conversation)
        assert final.total_turns == 26 and len(final.turns) == 52
        users = [t.text for t in final.turns[::2]]
        assert users[:6] == [f"번갈아 {i}" for i in range(6)]
        assert sorted(users[6:]) == sorted(f"동시에 {i}" for i in range(20))
    finally:
        await asyncio.gather(*(asyncio.to_thread(r.stop) for r in replicas))


async def test_50_concurrent_turns_with_the_redis_store(downstream, conversation) -> None:
    classifier, generator = downstream
    async with running_orchestrator(classifier, generator, store_url=REDIS_URL,
                                    answer_threshold=0.0, confirm_threshold=0.0) as orch:
        replies = await asyncio.gather(*(
            orch.stub.Chat(pb.ChatRequest(conversation_id=conversation, text=f"메시지 {i}"))
            for i in range(50)))
        assert sorted(r.turn_index for r in replies) == list(range(50))
        final = await orch.stub.GetConversation(
            pb.GetConversationRequest(conversation_id=conversation))
        assert final.total_turns == 50 and len(final.turns) == 100
        by_index = {r.turn_index: r.reply for r in replies}
        assert [t.text for t in final.turns[1::2]] == [by_index[i] for i in range(50)]
        deleted = await orch.stub.DeleteConversation(
            pb.DeleteConversationRequest(conversation_id=conversation))
        assert deleted.deleted
        redis = Redis.from_url(REDIS_URL)
        assert [k async for k in redis.scan_iter(f"emotion-chat:{{{conversation}}}:*")] == []
        await redis.aclose()
