"""The batches a Classify request's texts ran in, as spans (see emotion_chat.serving.tracing).

Each batch becomes a `classify.batch` child of the request's span, from the start to the end
of its inference, with the batch's number, size and padded length, how many of the request's
texts it held and the longest time one of them waited in the queue. The request's span gets
the batch number of every text (`emotion_chat.batch.ids`, in text order). Nothing when
tracing is off.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from opentelemetry import trace

from classifier_service.batching import BatchOutcome
from emotion_chat.serving import tracing


def record_batches(outcomes: Sequence[BatchOutcome]) -> None:
    if not tracing.enabled():
        return
    span = trace.get_current_span()
    if not span.is_recording():
        return
    span.set_attribute("emotion_chat.batch.ids", [o.batch_id for o in outcomes])
    batches: dict[int, list[BatchOutcome]] = {}
    for outcome in outcomes:
        batches.setdefault(outcome.batch_id, []).append(outcome)
    # monotonic → wall clock
    offset_ns = time.time_ns() - time.monotonic_ns()
    for batch_id, mine in batches.items():
        first = mine[0]
        start_ns = offset_ns + int(first.started_at * 1e9)
        tracing.tracer().start_span("classify.batch", start_time=start_ns, attributes={
            "emotion_chat.batch.id": batch_id,
            "emotion_chat.batch.size": first.batch_size,
            "emotion_chat.batch.padded_length": first.padded_length,
            "emotion_chat.batch.request_texts": len(mine),
            "emotion_chat.batch.queue_wait_ms": max(o.queue_s for o in mine) * 1e3,
            "emotion_chat.batch.inference_ms": first.inference_s * 1e3,
        }).end(end_time=start_ns + int(first.inference_s * 1e9))
