"""The conversation store interface: in-memory for one replica, Redis for several."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from emotion_chat.errors import BusyError
from orchestrator.core.conversation import Conversation, ConversationState, StoredTurn
from orchestrator.core.receipts import Receipt
from orchestrator.store.health import StoreHealth


class ConversationBusyError(BusyError):
    """The conversation's lock could not be taken in time, or was lost (retry)."""


class ConversationStore(ABC):
    """Per-conversation history, dialogue state and lock.

    `commit` drops the last `replace_last` messages (a regenerated reply), appends the turn's
    messages and replaces the dialogue state atomically, trims the history to
    `max_stored_turns` and refreshes the conversation's TTL. Callers hold
    `lock(conversation_id)` from `load` to `commit`, so turns of one conversation never
    interleave. A commit may carry the request's `Receipt` (idempotent retries), stored in
    the same atomic step. A store that can become unreachable reports it through `health`
    and raises StoreUnavailableError instead of its client library's errors.
    """

    def __init__(self, ttl_s: int, max_stored_turns: int) -> None:
        self.ttl_s = ttl_s
        self.max_stored_turns = max_stored_turns
        self.health: StoreHealth | None = None
        """None: the store cannot become unreachable (in memory)."""

    @abstractmethod
    def lock(self, conversation_id: str, wait_s: float) -> AbstractAsyncContextManager[None]:
        """Exclusive access to one conversation; ConversationBusyError after wait_s."""

    @abstractmethod
    async def load(self, conversation_id: str) -> Conversation: ...

    @abstractmethod
    async def commit(self, conversation_id: str, new_turns: Sequence[StoredTurn],
                     state: ConversationState, replace_last: int = 0,
                     receipt: Receipt | None = None) -> None: ...

    @abstractmethod
    async def receipt(self, conversation_id: str, request_id: str) -> Receipt | None:
        """The stored answer to `request_id` in this conversation, if it was committed."""

    @abstractmethod
    async def delete(self, conversation_id: str) -> bool:
        """Erase everything stored for the conversation; False if nothing was."""

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Connect (and check the connection)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def size(self) -> int | None:
        """How many conversations it holds, when that is cheap to know (else None)."""
        return None
