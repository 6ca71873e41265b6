"""The spans of one chat turn (see emotion_chat.serving.tracing).

The chat core's stage clock drives a `TurnTrace`: the turn is a span (`chat.turn`, child of
the front door's span) that is the current context while the turn runs, so the classifier,
generator and recommender calls carry it downstream; each stage the clock laps (lock, load,
classify, generate, consistency, recommend, save) becomes a child span with the lap's own
start and end. When the turn completes its span gets the reply kind, the emotion, the
persona and the degradations. A turn that raises ends its span with an error status where
its last stage ended (the front door's span records the error itself).

Either way, traced or not, a turn sets the conversation id that JSON log lines carry (the
task's: lines the front door logs after the turn still name it).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.trace import Status, StatusCode

from emotion_chat.serving import tracing
from orchestrator.core.types import TurnCompleted, TurnEvent, TurnResult

Emit = Callable[[TurnEvent], None]

# The turn this task attached last. A turn that raised never detaches its context: the next
# turn in the same task leaves it, rather than becoming its child.
_open: contextvars.ContextVar[TurnTrace | None] = contextvars.ContextVar(
    "emotion_chat_open_turn", default=None)


def start_turn(conversation_id: str, channel: str, started: float) -> TurnTrace | None:
    """A turn begins (`started`: its time.perf_counter()): its trace, None when tracing is
    off."""
    tracing.conversation_id.set(conversation_id)
    return TurnTrace(conversation_id, channel, started) if tracing.enabled() else None


class TurnTrace:
    """One turn's span, its stages' spans, and its context while it runs."""

    def __init__(self, conversation_id: str, channel: str, started: float) -> None:
        self._started = started
        self._wall_ns = time.time_ns() - int((time.perf_counter() - started) * 1e9)
        self._last_ns = self._wall_ns
        self._end_ns: int | None = None
        self._completed = False
        stale = _open.get()
        if stale is not None and not stale._completed:  # a turn of this task raised:
            otel_context.attach(stale._outer)  # leave its context for good
            _open.set(None)
        self._outer: otel_context.Context = otel_context.get_current()
        self._span = tracing.tracer().start_span(
            "chat.turn", self._outer, start_time=self._wall_ns,
            attributes={"emotion_chat.conversation_id": conversation_id,
                        "emotion_chat.channel": channel})
        self._context = trace.set_span_in_context(self._span, baggage.set_baggage(
            tracing.CONVERSATION_BAGGAGE, conversation_id, self._outer))
        self._attached = otel_context.attach(self._context)
        self._opened = _open.set(self)

    def _ns(self, at: float) -> int:
        return self._wall_ns + int((at - self._started) * 1e9)

    def stage(self, name: str, start: float, end: float) -> None:
        """A lap of the clock: a child span from `start` to `end` (perf_counter times)."""
        start_ns, self._last_ns = self._ns(start), self._ns(end)
        tracing.tracer().start_span(f"chat.{name}", self._context,
                                    start_time=start_ns).end(end_time=self._last_ns)

    def finish(self, end: float) -> None:
        """The clock stopped: the turn's span ends there (once its result is known)."""
        self._end_ns = self._ns(end)

    def observe(self, emit: Emit) -> Emit:
        """`emit`, also completing the turn's span with its result on TurnCompleted."""

        def observed(event: TurnEvent) -> None:
            if isinstance(event, TurnCompleted):
                self._complete(event.result)
            emit(event)
        return observed

    def _complete(self, result: TurnResult) -> None:
        if self._completed:
            return
        self._completed = True
        span = self._span
        span.set_attributes({
            "emotion_chat.reply_kind": result.kind.value,
            "emotion_chat.emotion": result.emotion.label,
            "emotion_chat.emotion_score": result.emotion.score,
            "emotion_chat.persona": result.persona,
            "emotion_chat.turn_index": result.turn_index,
            "emotion_chat.degraded": [reason.value for reason in result.degraded]})
        if result.situation:
            span.set_attribute("emotion_chat.situation", result.situation)
        span.end(end_time=self._end_ns or time.time_ns())
        with contextlib.suppress(ValueError):  # not in the context it began in
            _open.reset(self._opened)
        otel_context.detach(self._attached)

    def __del__(self) -> None:
        # A turn that raised never completed: its span ends where its last stage ended.
        if not self._completed and self._span.is_recording():
            with contextlib.suppress(Exception):  # e.g. at interpreter exit
                self._span.set_status(Status(StatusCode.ERROR, "the turn failed"))
                self._span.end(end_time=self._last_ns)
