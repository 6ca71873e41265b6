"""Which waiting texts form the next batch.

The oldest text of the most urgent priority always goes first (no starvation); the rest of
the batch is filled with the waiting texts whose lengths are closest to it (so padding stays
small), preferring urgent over bulk, until the batch has `max_batch_size` texts or one more
text would push the padded size (batch size × longest text) past `max_batch_tokens`.
"""

from __future__ import annotations

from collections.abc import Sequence

from classifier_service.batching.items import QueuedText


def select_batch(waiting: Sequence[QueuedText], max_batch_size: int,
                 max_batch_tokens: int) -> list[QueuedText]:
    if not waiting:
        return []
    anchor = min(waiting, key=QueuedText.order_key)
    batch = [anchor]
    if max_batch_size == 1 or len(waiting) == 1:
        return batch
    width = anchor.length
    candidates = sorted(
        (t for t in waiting if t is not anchor),
        key=lambda t: (t.priority, abs(t.length - anchor.length), t.seq))
    for text in candidates:
        new_width = max(width, text.length)
        if new_width * (len(batch) + 1) > max_batch_tokens:
            continue
        batch.append(text)
        width = new_width
        if len(batch) == max_batch_size:
            break
    return batch
