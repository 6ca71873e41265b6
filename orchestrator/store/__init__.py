"""Conversation stores, chosen by URL: memory:// (default) or redis://host:port/db."""

from __future__ import annotations

from orchestrator.store.base import ConversationBusyError, ConversationStore
from orchestrator.store.memory import MemoryStore


def open_store(url: str, ttl_s: int, max_stored_turns: int, lock_ttl_s: float
               ) -> ConversationStore:
    if url.startswith("memory://"):
        return MemoryStore(ttl_s, max_stored_turns)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from orchestrator.store.redis_store import RedisStore

        return RedisStore(url, ttl_s, max_stored_turns, lock_ttl_s)
    raise ValueError(f"unknown store URL {url!r}: use memory:// or redis://host:port/db")


__all__ = ["ConversationBusyError", "ConversationStore", "MemoryStore", "open_store"]
