"""Record the project's spans in memory (an SDK provider installed for one test)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from emotion_chat.serving import tracing


@contextlib.contextmanager
def recorded_spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        yield exporter
    finally:
        tracing.install(None)
        provider.shutdown()


async def ended(exporter: InMemorySpanExporter, *names: str, count: int = 0,
                within_s: float = 5.0) -> tuple[ReadableSpan, ...]:
    """The finished spans, in start order, once a span of each name (and at least `count`
    spans) has ended: a server span ends just after its response is sent, so the client
    that got the response may look a moment too early."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        spans = tuple(sorted(exporter.get_finished_spans(), key=lambda s: s.start_time or 0))
        done = {span.name for span in spans}
        if len(spans) >= count and all(name in done for name in names):
            return spans
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"spans ended within {within_s} s: {sorted(done)}; "
                                 f"waited for {list(names)} and {count} in all")
        await asyncio.sleep(0.01)


def hex_trace(trace_id: int) -> str:
    return f"{trace_id:032x}"


def traceparent(trace_id: str, span_id: str) -> str:
    return f"00-{trace_id}-{span_id}-01"
