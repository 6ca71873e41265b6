"""In-process store (the embedded default): one replica, lost on restart.

Bounded: at most `max_conversations` are kept, the least recently active evicted first
(the entries dict is ordered by last activity), and a periodic sweep drops expired ones, so
memory follows the live conversations rather than everything ever said.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from orchestrator.core.conversation import Conversation, ConversationState, StoredTurn
from orchestrator.core.receipts import MAX_RECEIPTS, Receipt
from orchestrator.store.base import ConversationBusyError, ConversationStore

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    turns: list[StoredTurn] = field(default_factory=list)
    state: ConversationState = field(default_factory=ConversationState)
    expires_at: float = 0.0
    receipts: dict[str, Receipt] = field(default_factory=dict)


class MemoryStore(ConversationStore):
    def __init__(self, ttl_s: int, max_stored_turns: int, max_conversations: int = 100_000,
                 sweep_interval_s: float = 60.0) -> None:
        super().__init__(ttl_s, max_stored_turns)
        if max_conversations < 1:
            raise ValueError("max_conversations must be at least 1")
        self.max_conversations = max_conversations
        self.sweep_interval_s = sweep_interval_s
        self.evicted = 0
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = {}
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_periodically())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            self._sweep()

    def size(self) -> int:
        return len(self._entries)

    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, wait_s: float) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._lock_users[conversation_id] = self._lock_users.get(conversation_id, 0) + 1
        try:
            try:
                await asyncio.wait_for(lock.acquire(), wait_s)
            except TimeoutError:
                raise ConversationBusyError(
                    f"conversation {conversation_id!r} is busy with another turn; "
                    "retry") from None
            try:
                yield
            finally:
                lock.release()
        finally:
            self._lock_users[conversation_id] -= 1
            if not self._lock_users[conversation_id]:  # nobody waits: forget the lock
                del self._lock_users[conversation_id]
                del self._locks[conversation_id]

    def _live(self, conversation_id: str) -> _Entry | None:
        entry = self._entries.get(conversation_id)
        if entry is not None and entry.expires_at <= time.monotonic():
            del self._entries[conversation_id]
            return None
        return entry

    async def load(self, conversation_id: str) -> Conversation:
        entry = self._live(conversation_id)
        if entry is None:
            return Conversation(conversation_id, (), ConversationState())
        return Conversation(conversation_id, tuple(entry.turns), entry.state)

    async def receipt(self, conversation_id: str, request_id: str) -> Receipt | None:
        entry = self._live(conversation_id)
        return entry.receipts.get(request_id) if entry is not None else None

    async def commit(self, conversation_id: str, new_turns: Sequence[StoredTurn],
                     state: ConversationState, replace_last: int = 0,
                     receipt: Receipt | None = None) -> None:
        entry = self._live(conversation_id) or _Entry()
        # Re-insert at the end: the dict stays ordered by last activity, oldest first.
        self._entries.pop(conversation_id, None)
        self._entries[conversation_id] = entry
        if replace_last:
            del entry.turns[-replace_last:]
        entry.turns.extend(new_turns)
        del entry.turns[:-self.max_stored_turns]
        entry.state = state
        if receipt is not None:
            # a copy, as Redis would give back (the caller keeps mutating its result)
            entry.receipts[receipt.request_id] = Receipt.from_json(receipt.to_json())
            while len(entry.receipts) > MAX_RECEIPTS:
                del entry.receipts[next(iter(entry.receipts))]
        entry.expires_at = time.monotonic() + self.ttl_s
        self._sweep()
        while len(self._entries) > self.max_conversations:
            # the least recently active: a conversation being written now is the newest
            oldest = next(iter(self._entries))
            del self._entries[oldest]
            self.evicted += 1
            if self.evicted == 1 or self.evicted % 10_000 == 0:
                log.warning("memory store full (%d conversations): evicted the least "
                            "recently active (%d so far); raise max_conversations or use "
                            "Redis", self.max_conversations, self.evicted)

    async def delete(self, conversation_id: str) -> bool:
        return self._entries.pop(conversation_id, None) is not None

    def _sweep(self) -> None:
        """Drop expired conversations: they sit at the front (least recently active)."""
        now = time.monotonic()
        while self._entries:
            oldest = next(iter(self._entries))
            if self._entries[oldest].expires_at > now:
                return
            del self._entries[oldest]
