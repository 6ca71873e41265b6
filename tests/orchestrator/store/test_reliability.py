"""The stores under faults: receipts of idempotent requests, the memory store's bound, a
Redis outage (a redis-server this test starts and kills), a dead holder's lease."""

import asyncio
import time

import pytest
from redis.asyncio import Redis
from redis_server import OwnRedis

from orchestrator.core.conversation import ConversationState, StoredTurn
from orchestrator.core.receipts import MAX_RECEIPTS, Operation, Receipt, fingerprint
from orchestrator.core.types import (
    DetectedEmotion,
    DialogueState,
    ReplyKind,
    Role,
    Track,
    TurnResult,
)
from orchestrator.settings import OrchestratorSettings
from orchestrator.store import ConversationBusyError, MemoryStore, StoreUnavailableError
from orchestrator.store.redis_store import RedisStore

REDIS_URL = "redis://127.0.0.1:6379/15"


def result(conversation_id: str, reply: str = "많이 떨리겠다") -> TurnResult:
    return TurnResult(conversation_id, reply, DetectedEmotion("불안", 0.8, (("불안", 0.8),)),
                      "joy", ReplyKind.GENERATED, DialogueState.IDLE, 3,
                      tracks=(Track("t1", "제목", "작곡", ("불안",), 30.0, "audio/ogg"),))


def turn_pair(n: int) -> list[StoredTurn]:
    return [StoredTurn(Role.USER, f"message {n}"), StoredTurn(Role.ASSISTANT, f"reply {n}")]


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    s = MemoryStore(600, 50) if request.param == "memory" else RedisStore(REDIS_URL, 600, 50, 3)
    await s.start()
    yield s
    await s.close()


async def test_a_receipt_is_committed_with_its_turn_and_read_back(store, conversation_id
                                                                   ) -> None:
    asked = fingerprint(Operation.TURN, "내일 발표야", "")
    assert await store.receipt(conversation_id, "r1") is None
    await store.commit(conversation_id, turn_pair(0), ConversationState(total_turns=1),
                       receipt=Receipt("r1", asked, result(conversation_id)))
    stored = await store.receipt(conversation_id, "r1")
    assert stored is not None
    answer = stored.answer(asked)
    assert answer.replayed and answer.reply == "많이 떨리겠다"
    assert answer.tracks[0].emotions == ("불안",) and answer.emotion.top == (("불안", 0.8),)
    from emotion_chat.errors import PreconditionError

    with pytest.raises(PreconditionError, match="already used for a different request"):
        stored.answer(fingerprint(Operation.TURN, "다른 말", ""))
    assert await store.delete(conversation_id)
    assert await store.receipt(conversation_id, "r1") is None


async def test_only_the_newest_receipts_are_kept(store, conversation_id) -> None:
    for i in range(MAX_RECEIPTS + 3):
        await store.commit(conversation_id, turn_pair(i), ConversationState(total_turns=i + 1),
                           receipt=Receipt(f"r{i}", "f", result(conversation_id)))
    assert await store.receipt(conversation_id, "r0") is None
    assert await store.receipt(conversation_id, "r2") is None
    assert await store.receipt(conversation_id, "r3") is not None
    assert await store.receipt(conversation_id, f"r{MAX_RECEIPTS + 2}") is not None
    await store.delete(conversation_id)


async def test_the_memory_store_evicts_the_least_recently_active() -> None:
    store = MemoryStore(600, 10, max_conversations=3)
    for name in ("a", "b", "c"):
        await store.commit(name, turn_pair(0), ConversationState(total_turns=1))
    await store.commit("a", turn_pair(1), ConversationState(total_turns=2))  # a is recent
    await store.commit("d", turn_pair(0), ConversationState(total_turns=1))
    assert store.size() == 3 and store.evicted == 1
    assert not (await store.load("b")).exists
    assert (await store.load("a")).state.total_turns == 2


async def test_the_memory_store_sweeps_expired_conversations_on_its_own() -> None:
    store = MemoryStore(600, 10, sweep_interval_s=0.05)
    await store.start()
    try:
        await store.commit("old", turn_pair(0), ConversationState(total_turns=1))
        store.ttl_s = 0  # the next commit expires at once
        await store.commit("older", turn_pair(0), ConversationState(total_turns=1))
        store.ttl_s = 600
        store._entries["old"].expires_at = time.monotonic() - 1
        await asyncio.sleep(0.2)
        assert store.size() == 0
    finally:
        await store.close()


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.kill()


async def test_an_outage_fails_fast_with_unavailable_and_ends_when_redis_is_back(
        own_redis, caplog) -> None:
    store = RedisStore(own_redis.url, 600, 50, 3, timeout_s=0.5)
    await store.start()
    assert store.health is not None
    store.health.probe_interval_s = 0.05
    heard: list[bool] = []
    back = asyncio.Event()
    store.health.listen(heard.append)
    store.health.listen(lambda reachable: back.set() if reachable else None)
    try:
        await store.commit("c", turn_pair(0), ConversationState(total_turns=1))
        own_redis.kill()
        with pytest.raises(StoreUnavailableError, match="conversation store unavailable; retry"):
            await store.load("c")
        assert heard == [False] and not store.health.reachable
        started = time.monotonic()
        for _ in range(20):  # during the outage: at once, no timeout waited per call
            with pytest.raises(StoreUnavailableError):
                async with store.lock("c", 1):
                    pass
        assert time.monotonic() - started < 0.5
        own_redis.start()  # same dir: the AOF brings the acknowledged commit back
        await asyncio.wait_for(back.wait(), 5)
        assert heard == [False, True]
        assert (await store.load("c")).state.total_turns == 1
    finally:
        await store.close()
    lines = [r.getMessage() for r in caplog.records if "conversation store" in r.getMessage()]
    assert len(lines) == 2, lines  # one when it started, one when it ended
    assert "unreachable" in lines[0] and "reachable again" in lines[1]


async def test_a_lease_is_renewed_while_its_turn_runs(conversation_id) -> None:
    holder = RedisStore(REDIS_URL, 600, 50, lock_ttl_s=0.6)
    other = RedisStore(REDIS_URL, 600, 50, lock_ttl_s=0.6)
    await holder.start()
    await other.start()
    try:
        async with holder.lock(conversation_id, 1):
            await asyncio.sleep(1.5)  # well past the 0.6 s lease
            with pytest.raises(ConversationBusyError):
                async with other.lock(conversation_id, 0.2):
                    pass
            await holder.commit(conversation_id, turn_pair(0), ConversationState(total_turns=1))
        async with other.lock(conversation_id, 0.5):  # released at the end of the turn
            pass
    finally:
        await holder.delete(conversation_id)
        await holder.close()
        await other.close()


async def test_a_dead_holders_conversation_is_free_within_the_default_lease(
        conversation_id) -> None:
    lease = OrchestratorSettings().lock_ttl_s
    assert lease <= 5
    store = RedisStore(REDIS_URL, 600, 50, lease)
    await store.start()
    redis = Redis.from_url(REDIS_URL)
    try:
        # what a replica killed mid-turn leaves behind: its lock, with the lease it had
        await redis.set(f"emotion-chat:{{{conversation_id}}}:lock", "dead-replica",
                        px=int(lease * 1000))
        died = time.monotonic()
        async with store.lock(conversation_id, 10):
            freed = time.monotonic() - died
        assert freed <= lease + 0.5
    finally:
        await redis.aclose()
        await store.close()
