"""One text waiting for a batch: its tokens, its deadline and the future its caller awaits."""

from __future__ import annotations

import asyncio
import enum
import itertools
from dataclasses import dataclass, field
from typing import Any

from classifier_service.tokenization import EncodedText

_sequence = itertools.count()


class Priority(enum.IntEnum):
    """Lower runs first: interactive requests overtake bulk labelling."""

    INTERACTIVE = 0
    BULK = 1


@dataclass(slots=True, eq=False)
class QueuedText:
    encoded: EncodedText
    future: asyncio.Future[Any]
    enqueued_at: float
    # Absolute time.monotonic() after which the result is useless; None = no deadline.
    deadline: float | None = None
    priority: Priority = Priority.INTERACTIVE
    seq: int = field(default_factory=lambda: next(_sequence))

    @property
    def length(self) -> int:
        return self.encoded.length

    def order_key(self) -> tuple[int, int]:
        return (self.priority, self.seq)
