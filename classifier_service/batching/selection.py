"""Which waiting texts form the next batch.

The oldest text of the most urgent priority always goes first (no starvation); the rest of
the batch is filled with the waiting texts whose lengths are closest to it (so padding stays
small), preferring urgent over bulk, until the batch has `max_batch_size` texts. A text is
left for a later batch when it would push the padded size (batch size × longest text) past
`max_batch_tokens`, or the share of padding in the batch past `max_padding_ratio`: on a CPU,
where inference time grows with every padded token, padding costs more than batching saves.
"""

from __future__ import annotations

from collections.abc import Sequence

from classifier_service.batching.items import QueuedText


def select_batch(waiting: Sequence[QueuedText], max_batch_size: int, max_batch_tokens: int,
                 max_padding_ratio: float = 1.0) -> list[QueuedText]:
    if not waiting:
        return []
    anchor = min(waiting, key=QueuedText.order_key)
    batch = [anchor]
    if max_batch_size == 1 or len(waiting) == 1:
        return batch
    width = real = anchor.length
    candidates = sorted(
        (t for t in waiting if t is not anchor),
        key=lambda t: (t.priority, abs(t.length - anchor.length), t.seq))
    for text in candidates:
        new_width = max(width, text.length)
        padded = new_width * (len(batch) + 1)
        if padded > max_batch_tokens or 1 - (real + text.length) / padded > max_padding_ratio:
            continue
        batch.append(text)
        width = new_width
        real += text.length
        if len(batch) == max_batch_size:
            break
    return batch
