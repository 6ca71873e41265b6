"""Both stores against the same contract; the Redis one against the real Redis server."""

import asyncio
import time

import pytest
from redis.asyncio import Redis

from orchestrator.core.conversation import ConversationState, StoredTurn
from orchestrator.core.types import DialogueState, ReplyKind, Role
from orchestrator.store import ConversationBusyError, MemoryStore
from orchestrator.store.redis_store import RedisStore

REDIS_URL = "redis://127.0.0.1:6379/15"


def make_store(kind: str, ttl_s: int = 600, cap: int = 6, lock_ttl_s: float = 5.0):
    if kind == "memory":
        return MemoryStore(ttl_s, cap)
    return RedisStore(REDIS_URL, ttl_s, cap, lock_ttl_s)


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    s = make_store(request.param)
    await s.start()
    yield s
    await s.close()


def turns(n: int, start: int = 0) -> list[StoredTurn]:
    return [StoredTurn(Role.USER if i % 2 == 0 else Role.ASSISTANT, f"message {i}")
            for i in range(start, start + n)]


async def test_commit_appends_caps_and_round_trips_state(store, conversation_id) -> None:
    assert not (await store.load(conversation_id)).exists
    state = ConversationState(state=DialogueState.CONFIRM_EMOTION, persona="joy",
                              pending_emotion="불안", pending_score=0.42, pending_text="떨려",
                              total_turns=1, updated_ms=5)
    async with store.lock(conversation_id, 1):
        await store.commit(conversation_id, turns(2), state)
    loaded = await store.load(conversation_id)
    assert [t.text for t in loaded.turns] == ["message 0", "message 1"]
    assert loaded.state == state
    async with store.lock(conversation_id, 1):
        await store.commit(conversation_id, turns(6, 2), ConversationState(total_turns=4))
    loaded = await store.load(conversation_id)
    assert [t.text for t in loaded.turns] == [f"message {i}" for i in range(2, 8)]  # cap 6
    assert loaded.state.total_turns == 4
    assert await store.delete(conversation_id)
    assert not (await store.load(conversation_id)).exists
    assert not await store.delete(conversation_id)


async def test_commit_can_replace_the_last_message(store, conversation_id) -> None:
    async with store.lock(conversation_id, 1):
        await store.commit(conversation_id, turns(4), ConversationState(total_turns=2))
    regenerated = StoredTurn(Role.ASSISTANT, "a better reply")
    async with store.lock(conversation_id, 1):
        await store.commit(conversation_id, (regenerated,), ConversationState(total_turns=2),
                           replace_last=1)
    loaded = await store.load(conversation_id)
    assert [t.text for t in loaded.turns] == ["message 0", "message 1", "message 2",
                                              "a better reply"]
    assert loaded.turns[-1].role is Role.ASSISTANT and loaded.state.total_turns == 2


def test_stored_turns_round_trip_json_and_read_older_records() -> None:
    turn = StoredTurn(Role.ASSISTANT, "응원할게!", "행복", 0.9, "joy", ReplyKind.GENERATED,
                      answer_to="합격했어", created_ms=7)
    assert StoredTurn.from_json(turn.to_json()) == turn
    older = '{"role":"user","text":"안녕","emotion":"","emotion_score":0.0,"persona":"",' \
            '"kind":"","created_ms":3}'
    assert StoredTurn.from_json(older) == StoredTurn(Role.USER, "안녕", created_ms=3)


async def test_lock_serialises_and_times_out(store, conversation_id) -> None:
    order: list[str] = []

    async def holder() -> None:
        async with store.lock(conversation_id, 1):
            order.append("first in")
            await asyncio.sleep(0.3)
            order.append("first out")

    task = asyncio.create_task(holder())
    await asyncio.sleep(0.05)
    with pytest.raises(ConversationBusyError, match="busy"):
        async with store.lock(conversation_id, 0.1):
            pass
    async with store.lock(conversation_id, 2):
        order.append("second in")
    await task
    assert order == ["first in", "first out", "second in"]


async def test_other_conversations_are_not_blocked(store, conversation_id) -> None:
    async with store.lock(conversation_id, 1), store.lock(conversation_id + "-other", 0.1):
        pass


async def test_memory_store_forgets_idle_conversations(conversation_id) -> None:
    store = MemoryStore(ttl_s=1, max_stored_turns=10)
    await store.commit(conversation_id, turns(2), ConversationState(total_turns=1))
    assert (await store.load(conversation_id)).exists
    await asyncio.sleep(1.1)
    assert not (await store.load(conversation_id)).exists


async def test_redis_keys_expire_and_activity_refreshes_them(conversation_id) -> None:
    store = make_store("redis", ttl_s=120)
    await store.start()
    redis = Redis.from_url(REDIS_URL)
    try:
        async with store.lock(conversation_id, 1):
            await store.commit(conversation_id, turns(2), ConversationState(total_turns=1))
        keys = sorted(k.decode() for k in await redis.keys(f"emotion-chat:{{{conversation_id}}}:*"))
        assert [k.rsplit(":", 1)[1] for k in keys] == ["state", "turns"]
        for key in keys:
            assert 110 < await redis.ttl(key) <= 120
            await redis.expire(key, 5)
        async with store.lock(conversation_id, 1):
            await store.commit(conversation_id, turns(2, 2), ConversationState(total_turns=2))
        for key in keys:
            assert await redis.ttl(key) > 110  # refreshed by the turn
        await redis.expire(keys[0], 1)
        await redis.expire(keys[1], 1)
        await asyncio.sleep(1.2)
        assert not (await store.load(conversation_id)).exists
    finally:
        await redis.aclose()
        await store.close()


async def test_redis_history_survives_a_new_store_instance(conversation_id) -> None:
    first = make_store("redis")
    await first.start()
    async with first.lock(conversation_id, 1):
        await first.commit(conversation_id, turns(2), ConversationState(persona="fear",
                                                                     total_turns=1))
    await first.close()
    second = make_store("redis")
    await second.start()
    try:
        loaded = await second.load(conversation_id)
        assert [t.text for t in loaded.turns] == ["message 0", "message 1"]
        assert loaded.state.persona == "fear"
    finally:
        await second.delete(conversation_id)
        await second.close()


async def test_redis_lock_of_a_dead_holder_expires(conversation_id) -> None:
    store = make_store("redis", lock_ttl_s=0.5)
    await store.start()
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.set(f"emotion-chat:{{{conversation_id}}}:lock", "crashed-replica", px=500)
        started = time.monotonic()
        async with store.lock(conversation_id, 3):
            waited = time.monotonic() - started
        assert 0.3 < waited < 2
    finally:
        await redis.aclose()
        await store.close()


async def test_redis_commit_without_the_lock_is_refused(conversation_id) -> None:
    store = make_store("redis", lock_ttl_s=5)
    await store.start()
    redis = Redis.from_url(REDIS_URL)
    try:
        async with store.lock(conversation_id, 1):
            # another replica took over (our lock expired while we were slow)
            await redis.set(f"emotion-chat:{{{conversation_id}}}:lock", "other-replica")
            with pytest.raises(ConversationBusyError, match="lost the lock"):
                await store.commit(conversation_id, turns(2), ConversationState(total_turns=1))
        assert not (await store.load(conversation_id)).exists
    finally:
        await redis.delete(f"emotion-chat:{{{conversation_id}}}:lock")
        await redis.aclose()
        await store.close()


async def test_unreachable_redis_fails_at_start() -> None:
    from emotion_chat.errors import NotReadyError

    store = RedisStore("redis://:secret@127.0.0.1:1/0", 600, 10, 5)
    with pytest.raises(NotReadyError, match=r"redis://\*\*\*@127.0.0.1:1/0") as raised:
        await store.start()
    assert "secret" not in str(raised.value)
    await store.close()
