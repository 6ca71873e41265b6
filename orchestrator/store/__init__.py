"""Conversation stores, chosen by URL: memory:// (default) or redis://host:port/db."""

from __future__ import annotations

from orchestrator.store.base import ConversationBusyError, ConversationStore
from orchestrator.store.health import StoreHealth, StoreUnavailableError
from orchestrator.store.memory import MemoryStore


def open_store(url: str, ttl_s: int, max_stored_turns: int, lock_ttl_s: float, *,
               max_conversations: int = 100_000, timeout_s: float = 2.0
               ) -> ConversationStore:
    if url.startswith("memory://"):
        return MemoryStore(ttl_s, max_stored_turns, max_conversations)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from orchestrator.store.redis_store import RedisStore

        return RedisStore(url, ttl_s, max_stored_turns, lock_ttl_s, timeout_s=timeout_s)
    raise ValueError(f"unknown store URL {url!r}: use memory:// or redis://host:port/db")


__all__ = ["ConversationBusyError", "ConversationStore", "MemoryStore", "StoreHealth",
           "StoreUnavailableError", "open_store"]
