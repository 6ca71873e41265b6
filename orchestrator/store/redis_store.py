"""Redis store: several orchestrator replicas share conversations.

Per conversation (the `{id}` hash tag keeps a conversation's keys on one Redis Cluster slot):

- `emotion-chat:{id}:turns`: list of JSON turns, trimmed to `max_stored_turns`;
- `emotion-chat:{id}:state`: hash with the dialogue state (the FSM bot's `hset state user_id`);
- `emotion-chat:{id}:lock`: the turn lock, a short lease (`SET NX PX` with a random token,
  `lock_ttl_s`, 3 s by default) renewed every third of it while the turn runs and released by
  compare-and-delete: if its holder dies, the lease runs out within `lock_ttl_s` and the
  next turn of the conversation goes on (a long turn keeps it by renewing, not by a long
  TTL);
- `emotion-chat:{id}:receipts` and `...:receipt-order`: the answers stored under request ids
  (idempotent retries), a hash and the order to drop the oldest in.

A commit is one Lua script: it checks that this replica still holds the lock (fencing: a
holder that lost its lease cannot write), appends the turns, trims, writes the state and
the receipt and refreshes every key's TTL, atomically.

Connection errors and timeouts become StoreUnavailableError (UNAVAILABLE, "retry") and start
an outage in `health` (NOT_SERVING until a ping answers again); during an outage calls fail
at once instead of each waiting for its own timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator, Iterator, Sequence

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from emotion_chat.errors import NotReadyError
from orchestrator.core.conversation import Conversation, ConversationState, StoredTurn
from orchestrator.core.receipts import MAX_RECEIPTS, Receipt
from orchestrator.store.base import ConversationBusyError, ConversationStore
from orchestrator.store.health import StoreHealth

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

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
# KEYS: turns, state, lock, receipts, receipt order. ARGV: token ('' = unlocked), ttl_s,
# max_turns, replace_last, n, request id ('' = none), receipt JSON, max receipts, n turns,
# then field/value pairs of the state.
_COMMIT = """
if ARGV[1] ~= '' and redis.call('get', KEYS[3]) ~= ARGV[1] then
  return -1
end
if ARGV[6] ~= '' then
  if redis.call('hsetnx', KEYS[4], ARGV[6], ARGV[7]) == 0 then
    return -2
  end
  redis.call('rpush', KEYS[5], ARGV[6])
  while redis.call('llen', KEYS[5]) > tonumber(ARGV[8]) do
    redis.call('hdel', KEYS[4], redis.call('lpop', KEYS[5]))
  end
end
local drop = tonumber(ARGV[4])
if drop > 0 then
  redis.call('rpop', KEYS[1], drop)
end
local n = tonumber(ARGV[5])
for i = 1, n do
  redis.call('rpush', KEYS[1], ARGV[8 + i])
end
redis.call('ltrim', KEYS[1], -tonumber(ARGV[3]), -1)
local fields = {}
for i = 9 + n, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('hset', KEYS[2], unpack(fields))
for i = 1, 5 do
  if i ~= 3 then
    redis.call('expire', KEYS[i], tonumber(ARGV[2]))
  end
end
return n
"""


class RedisStore(ConversationStore):
    def __init__(self, url: str, ttl_s: int, max_stored_turns: int, lock_ttl_s: float,
                 prefix: str = "emotion-chat", timeout_s: float = 2.0) -> None:
        super().__init__(ttl_s, max_stored_turns)
        self._url = url
        # One attempt per call: a retry belongs to the client, who knows whether it may
        # repeat; the timeouts bound how long a call can hang on a dead server.
        self._redis: Redis = Redis.from_url(
            url, decode_responses=True, socket_timeout=timeout_s,
            socket_connect_timeout=min(timeout_s, 1.0), retry=Retry(NoBackoff(), 0))
        self.health = StoreHealth(self._redis.ping,
                                  describe=f"the conversation store {_redacted(url)}")
        self._prefix = prefix
        self._lock_ttl_ms = int(lock_ttl_s * 1000)
        self._held: dict[str, str] = {}
        self._renew = self._redis.register_script(_RENEW)
        self._release = self._redis.register_script(_RELEASE)
        self._commit = self._redis.register_script(_COMMIT)

    def _keys(self, conversation_id: str) -> tuple[str, str, str, str, str]:
        base = f"{self._prefix}:{{{conversation_id}}}"
        return (f"{base}:turns", f"{base}:state", f"{base}:lock", f"{base}:receipts",
                f"{base}:receipt-order")

    @contextlib.contextmanager
    def _reaching(self) -> Iterator[None]:
        """Redis' connection errors as StoreUnavailableError (and the outage they start)."""
        assert self.health is not None
        self.health.check()
        try:
            yield
        except UNREACHABLE as exc:
            raise self.health.failed(exc) from exc

    async def start(self) -> None:
        try:
            await self._redis.ping()
        except Exception as exc:
            raise NotReadyError(f"cannot reach the conversation store at "
                                f"{_redacted(self._url)}: {exc}") from exc

    async def close(self) -> None:
        assert self.health is not None
        await self.health.close()
        await self._redis.aclose()

    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, wait_s: float) -> AsyncIterator[None]:
        key = self._keys(conversation_id)[2]
        token = secrets.token_hex(16)
        deadline = time.monotonic() + wait_s
        pause = 0.002
        with self._reaching():
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
            try:
                await self._release(keys=[key], args=[token])
            except UNREACHABLE:  # the lease runs out on its own; do not hide the turn's error
                log.debug("could not release %s; it expires in %d ms", key,
                          self._lock_ttl_ms)

    async def _keep(self, key: str, token: str) -> None:
        """Renew the lease every third of its TTL while the turn runs (a failed renewal is
        tried again at the next third; the commit checks the lease anyway)."""
        while True:
            await asyncio.sleep(self._lock_ttl_ms / 3000)
            try:
                renewed = await self._renew(keys=[key], args=[token, self._lock_ttl_ms])
            except UNREACHABLE:
                continue
            if not renewed:
                log.warning("lost the lock %s; the commit will be refused", key)
                return

    async def load(self, conversation_id: str) -> Conversation:
        turns_key, state_key, *_ = self._keys(conversation_id)
        with self._reaching():
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.lrange(turns_key, 0, -1)
                pipe.hgetall(state_key)
                raw_turns, raw_state = await pipe.execute()
        return Conversation(conversation_id, tuple(StoredTurn.from_json(t) for t in raw_turns),
                            ConversationState.from_mapping(raw_state))

    async def receipt(self, conversation_id: str, request_id: str) -> Receipt | None:
        with self._reaching():
            raw = await self._redis.hget(self._keys(conversation_id)[3], request_id)
        return Receipt.from_json(raw) if raw else None

    async def commit(self, conversation_id: str, new_turns: Sequence[StoredTurn],
                     state: ConversationState, replace_last: int = 0,
                     receipt: Receipt | None = None) -> None:
        keys = self._keys(conversation_id)
        fields = [item for pair in state.to_mapping().items() for item in pair]
        args: list[str | int] = [self._held.get(conversation_id, ""), self.ttl_s,
                                 self.max_stored_turns, replace_last, len(new_turns),
                                 receipt.request_id if receipt else "",
                                 receipt.to_json() if receipt else "", MAX_RECEIPTS,
                                 *(t.to_json() for t in new_turns), *fields]
        with self._reaching():
            outcome = await self._commit(keys=list(keys), args=args)
        if outcome == -1:
            raise ConversationBusyError(
                f"lost the lock of conversation {conversation_id!r} (its lease ran out and "
                "another replica took over); retry")
        if outcome == -2:
            raise ConversationBusyError(
                f"request {receipt.request_id if receipt else ''!r} was stored meanwhile; "
                "retry to get its answer")

    async def delete(self, conversation_id: str) -> bool:
        with self._reaching():
            return bool(await self._redis.delete(*self._keys(conversation_id)))


def _redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
