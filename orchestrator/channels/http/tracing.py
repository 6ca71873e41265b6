"""A SERVER span per HTTP request (plain ASGI middleware), child of an incoming W3C
`traceparent` header; see emotion_chat.serving.tracing.

Tracing off, a request without a traceparent passes straight through, and one with a
traceparent runs in the caller's context (forwarded downstream, shown in JSON logs). Health
probes are not traced unless the caller sent a traceparent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emotion_chat.serving import tracing

UNTRACED = frozenset({"/healthz", "/readyz"})
_HEADERS = frozenset(name.encode() for name in tracing.TRACE_HEADERS)


def trace_headers(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str] | None:
    """The W3C trace headers of an ASGI request; None when there is no traceparent."""
    found = {name.decode("latin-1"): value.decode("latin-1")
             for name, value in headers if name in _HEADERS}
    return found if tracing.TRACEPARENT in found else None


class TracingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = trace_headers(scope["headers"])
        if tracing.enabled() and (headers is not None or scope["path"] not in UNTRACED):
            await self._traced(scope, receive, send, headers)
        elif headers is None:
            await self.app(scope, receive, send)
        else:  # pass the caller's trace on, record nothing
            token = otel_context.attach(tracing.extract(headers))
            try:
                await self.app(scope, receive, send)
            finally:
                otel_context.detach(token)

    async def _traced(self, scope: Scope, receive: Receive, send: Send,
                      headers: dict[str, str] | None) -> None:
        method = scope["method"]
        parent = tracing.extract(headers)
        span = tracing.tracer().start_span(
            method, parent, SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]})
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except BaseException as exc:
            span.record_exception(exc)
            raise
        finally:
            route: Any = scope.get("route")
            path = getattr(route, "path", None)
            if path:
                span.update_name(f"{method} {path}")
                span.set_attribute("http.route", path)
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR, str(status)))
            span.end()
            otel_context.detach(token)
