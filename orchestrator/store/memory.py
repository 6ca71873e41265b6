"""In-process store (the embedded default): one replica, lost on restart."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from orchestrator.core.conversation import Conversation, ConversationState, StoredTurn
from orchestrator.store.base import ConversationBusyError, ConversationStore


@dataclass
class _Entry:
    turns: list[StoredTurn] = field(default_factory=list)
    state: ConversationState = field(default_factory=ConversationState)
    expires_at: float = 0.0


class MemoryStore(ConversationStore):
    def __init__(self, ttl_s: int, max_stored_turns: int) -> None:
        super().__init__(ttl_s, max_stored_turns)
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = {}

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

    async def commit(self, conversation_id: str, new_turns: Sequence[StoredTurn],
                     state: ConversationState, replace_last: int = 0) -> None:
        entry = self._live(conversation_id) or _Entry()
        # Re-insert at the end: the dict stays ordered by last activity, oldest first.
        self._entries.pop(conversation_id, None)
        self._entries[conversation_id] = entry
        if replace_last:
            del entry.turns[-replace_last:]
        entry.turns.extend(new_turns)
        del entry.turns[:-self.max_stored_turns]
        entry.state = state
        entry.expires_at = time.monotonic() + self.ttl_s
        self._sweep()

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
