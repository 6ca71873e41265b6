"""Redis store: several orchestrator replicas share conversations.

Per conversation (the `{id}` hash tag keeps a conversation's keys on one Redis Cluster slot):

- `emotion-chat:{id}:turns`: list of JSON turns, trimmed to `max_stored_turns`;
- `emotion-chat:{id}:state`: hash with the dialogue state (the FSM bot's `hset state user_id`);
- `emotion-chat:{id}:lock`: the turn lock, `SET NX PX` with a random token, renewed while the
  turn runs, released by compare-and-delete; it expires on its own if its holder dies.

A commit is one Lua script: it checks that this replica still holds the lock, appends the
turns, trims, writes the state and refreshes both keys' TTL, atomically.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator, Sequence

from redis.asyncio import Redis

from emotion_chat.errors import NotReadyError
from orchestrator.core.conversation import Conversation, ConversationState, StoredTurn
from orchestrator.store.base import ConversationBusyError, ConversationStore

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# KEYS: turns, state, lock. ARGV: token ('' = unlocked), ttl_s, max_turns, replace_last, n,
# n turns, then field/value pairs of the state.
_COMMIT = """
if ARGV[1] ~= '' and redis.call('get', KEYS[3]) ~= ARGV[1] then
  return -1
end
local drop = tonumber(ARGV[4])
if drop > 0 then
  redis.call('rpop', KEYS[1], drop)
end
local n = tonumber(ARGV[5])
for i = 1, n do
  redis.call('rpush', KEYS[1], ARGV[5 + i])
end
redis.call('ltrim', KEYS[1], -tonumber(ARGV[3]), -1)
local fields = {}
for i = 6 + n, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('hset', KEYS[2], unpack(fields))
redis.call('expire', KEYS[1], tonumber(ARGV[2]))
redis.call('expire', KEYS[2], tonumber(ARGV[2]))
return n
"""


class RedisStore(ConversationStore):
    def __init__(self, url: str, ttl_s: int, max_stored_turns: int, lock_ttl_s: float,
                 prefix: str = "emotion-chat") -> None:
        super().__init__(ttl_s, max_stored_turns)
        self._url = url
        self._redis: Redis = Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._lock_ttl_ms = int(lock_ttl_s * 1000)
        self._held: dict[str, str] = {}
        self._renew = self._redis.register_script(_RENEW)
        self._release = self._redis.register_script(_RELEASE)
        self._commit = self._redis.register_script(_COMMIT)

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = f"{self._prefix}:{{{conversation_id}}}"
        return f"{base}:turns", f"{base}:state", f"{base}:lock"

    async def start(self) -> None:
        try:
            await self._redis.ping()
        except Exception as exc:
            raise NotReadyError(f"cannot reach the conversation store at "
                                f"{_redacted(self._url)}: {exc}") from exc

    async def close(self) -> None:
        await self._redis.aclose()

    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, wait_s: float) -> AsyncIterator[None]:
        _, _, key = self._keys(conversation_id)
        token = secrets.token_hex(16)
        deadline = time.monotonic() + wait_s
        pause = 0.002
        while not await self._redis.set(key, token, nx=True, px=self._lock_ttl_ms):
            if time.monotonic() >= deadline:
                raise ConversationBusyError(
                    f"conversation {conversation_id!r} is busy with another turn; retry")
            await asyncio.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 0.05)
        self._held[conversation_id] = token
        renewer = asyncio.create_task(self._keep(key, token))
        try:
            yield
        finally:
            renewer.cancel()
            self._held.pop(conversation_id, None)
            await self._release(keys=[key], args=[token])

    async def _keep(self, key: str, token: str) -> None:
        """Renew the lock every third of its TTL while the turn runs."""
        while True:
            await asyncio.sleep(self._lock_ttl_ms / 3000)
            if not await self._renew(keys=[key], args=[token, self._lock_ttl_ms]):
                log.warning("lost the lock %s; the commit will be refused", key)
                return

    async def load(self, conversation_id: str) -> Conversation:
        turns_key, state_key, _ = self._keys(conversation_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lrange(turns_key, 0, -1)
            pipe.hgetall(state_key)
            raw_turns, raw_state = await pipe.execute()
        return Conversation(conversation_id, tuple(StoredTurn.from_json(t) for t in raw_turns),
                            ConversationState.from_mapping(raw_state))

    async def commit(self, conversation_id: str, new_turns: Sequence[StoredTurn],
                     state: ConversationState, replace_last: int = 0) -> None:
        keys = self._keys(conversation_id)
        fields = [item for pair in state.to_mapping().items() for item in pair]
        args: list[str | int] = [self._held.get(conversation_id, ""), self.ttl_s,
                                 self.max_stored_turns, replace_last, len(new_turns),
                                 *(t.to_json() for t in new_turns), *fields]
        if await self._commit(keys=list(keys), args=args) == -1:
            raise ConversationBusyError(
                f"lost the lock of conversation {conversation_id!r} (the turn took longer "
                "than lock_ttl_s and another replica took over); retry")

    async def delete(self, conversation_id: str) -> bool:
        return bool(await self._redis.delete(*self._keys(conversation_id)))


def _redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
