"""Distributed tracing (OpenTelemetry): one trace per chat turn across the services.

Off by default, and free when off: without an OTLP endpoint (`<PREFIX>_OTLP_ENDPOINT`, else
the standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`) nothing of
the SDK is imported and no tracer provider is installed. The server interceptor then hands
RPCs on untouched, unless the caller sent a W3C `traceparent`: that context is passed
through (current while the RPC runs, forwarded on downstream calls, printed in JSON logs)
without anything being recorded here.

On: an SDK `TracerProvider` (resource `service.name` = the service's name, namespace
`emotion-chat`; parent-based ratio sampling) with a batching OTLP/gRPC exporter. Every RPC a
service serves is a SERVER span named after its method (`emotion_chat.v1.X/Method`), child
of the caller's `traceparent`; clients put the current context in their calls' metadata
(`outgoing_metadata`). A turn's conversation id travels as W3C baggage, so every service's
log lines of the turn name it.

The project's spans come from `tracer()`, which follows `install` (the provider
`setup_tracing` made, or one a test installs) rather than OpenTelemetry's process-global
provider, which may be set only once per process.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import grpc
from opentelemetry import baggage, propagate, trace
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode

from emotion_chat.serving.interceptors import Behavior, _CachingInterceptor

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
TRACE_HEADERS = frozenset({TRACEPARENT, "tracestate", "baggage"})
CONVERSATION_BAGGAGE = "emotion_chat.conversation_id"
"""The W3C baggage entry that carries a turn's conversation id to downstream services."""
INSTRUMENTATION = "emotion_chat"
UNTRACED_PREFIX = "/grpc."
"""Health checks and reflection: traced only when the caller sent a traceparent."""

# gRPC codes that make a server span an error (OpenTelemetry's RPC semantic conventions).
SERVER_ERRORS = frozenset({grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED,
                           grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.INTERNAL,
                           grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DATA_LOSS})

conversation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "emotion_chat_conversation_id", default=None)
"""The conversation of the turn being handled, for log lines (set where a turn starts)."""

_tracer: trace.Tracer | None = None
_NO_OP = trace.NoOpTracer()


# -- set-up ----------------------------------------------------------------------------------

def endpoint_of(configured: str | None) -> str | None:
    """The OTLP endpoint to export to: the service's setting, else the standard variables."""
    return (configured or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None)


def setup_tracing(service: str, endpoint: str | None, sample_ratio: float = 1.0) -> bool:
    """Export this process's spans to the OTLP/gRPC `endpoint` (see `endpoint_of`); without
    one tracing stays off and the SDK is not even imported. Returns whether tracing is on."""
    endpoint = endpoint_of(endpoint)
    if endpoint is None:
        return False
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or service,
                                "service.namespace": "emotion-chat"})
    provider = TracerProvider(resource=resource,
                              sampler=ParentBased(TraceIdRatioBased(sample_ratio)))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)  # for any other instrumentation in the process
    install(provider)
    log.info("%s: tracing on, OTLP/gRPC to %s, sampling %g of new traces", service, endpoint,
             sample_ratio)
    return True


def install(provider: trace.TracerProvider | None) -> None:
    """Record the project's spans with `provider` (None: tracing off)."""
    global _tracer
    _tracer = provider.get_tracer(INSTRUMENTATION) if provider is not None else None


def enabled() -> bool:
    """Whether spans are recorded (a provider is installed)."""
    return _tracer is not None


def tracer() -> trace.Tracer:
    """The project's tracer: the installed provider's, else a no-op one."""
    return _tracer if _tracer is not None else _NO_OP


# -- context ---------------------------------------------------------------------------------

def trace_headers(metadata: Sequence[tuple[str, Any]] | None) -> dict[str, str] | None:
    """The W3C trace headers among gRPC metadata (or HTTP headers, lower-case names); None
    when there is no `traceparent`."""
    if not metadata:
        return None
    found = {key: value for key, value in metadata
             if key in TRACE_HEADERS and isinstance(value, str)}
    return found if TRACEPARENT in found else None


def extract(headers: Mapping[str, str] | None) -> otel_context.Context:
    """The caller's context from its W3C trace headers; none: a new root context."""
    return propagate.extract(headers) if headers else otel_context.Context()


def outgoing_metadata() -> tuple[tuple[str, str], ...] | None:
    """The current trace context as gRPC metadata for a downstream call; None outside any
    trace (tracing off and no traceparent came in), so such a call costs nothing extra."""
    ctx = otel_context.get_current()
    if not trace.get_current_span(ctx).get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier, ctx)
    return tuple(carrier.items())


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span as W3C hex, or None outside any trace."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return (trace.format_trace_id(span_context.trace_id),
            trace.format_span_id(span_context.span_id))


def annotate(attributes: Mapping[str, Any]) -> None:
    """Set attributes on the current span (nothing when tracing is off)."""
    if _tracer is not None:
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attributes(attributes)


# -- the server side -------------------------------------------------------------------------

class TracingInterceptor(_CachingInterceptor):
    """A SERVER span per RPC, child of the caller's W3C `traceparent` (gRPC metadata).

    Tracing off, RPCs without a traceparent are not wrapped at all; those with one run in the
    caller's context (propagated downstream and shown in logs, nothing recorded).
    """

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        if ((_tracer is None or handler_call_details.method.startswith(UNTRACED_PREFIX))
                and trace_headers(handler_call_details.invocation_metadata) is None):
            return await continuation(handler_call_details)
        return await super().intercept_service(continuation, handler_call_details)

    def wrap(self, inner: Behavior, method: str, streaming: bool) -> Behavior:
        name = method.lstrip("/")
        service, _, rpc = name.rpartition("/")
        attributes = {"rpc.system": "grpc", "rpc.service": service, "rpc.method": rpc}

        def enter(context: grpc.aio.ServicerContext) -> tuple[object, trace.Span | None]:
            parent = extract(trace_headers(context.invocation_metadata()))
            conversation = baggage.get_baggage(CONVERSATION_BAGGAGE, parent)
            if isinstance(conversation, str):
                conversation_id.set(conversation)  # the RPC's own task: nothing to reset
            if _tracer is None:
                return otel_context.attach(parent), None
            span = _tracer.start_span(name, parent, SpanKind.SERVER, attributes)
            return otel_context.attach(trace.set_span_in_context(span, parent)), span

        def leave(token: object, span: trace.Span | None, context: grpc.aio.ServicerContext,
                  error: BaseException | None) -> None:
            if span is not None:
                code = _status_code(context, error)
                span.set_attribute("rpc.grpc.status_code", code.value[0])
                if code in SERVER_ERRORS:
                    span.set_status(Status(StatusCode.ERROR, code.name))
                    if error is not None and not isinstance(error, grpc.aio.AbortError):
                        span.record_exception(error)
                span.end()
            otel_context.detach(token)  # type: ignore[arg-type]

        if streaming:
            async def streaming_behavior(request: Any, context: grpc.aio.ServicerContext
                                         ) -> AsyncIterator[Any]:
                token, span = enter(context)
                error: BaseException | None = None
                try:
                    responses = inner(request, context)
                    if hasattr(responses, "__aiter__"):
                        async for response in responses:
                            yield response
                    else:  # a handler that streams with context.write()
                        await responses
                except BaseException as exc:
                    error = exc
                    raise
                finally:
                    leave(token, span, context, error)
            return streaming_behavior

        async def unary_behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:
            token, span = enter(context)
            error: BaseException | None = None
            try:
                return await inner(request, context)
            except BaseException as exc:
                error = exc
                raise
            finally:
                leave(token, span, context, error)
        return unary_behavior


def _status_code(context: grpc.aio.ServicerContext, error: BaseException | None
                 ) -> grpc.StatusCode:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    if error is None:
        return grpc.StatusCode.OK
    if isinstance(error, asyncio.CancelledError):
        return grpc.StatusCode.CANCELLED
    return grpc.StatusCode.UNKNOWN
