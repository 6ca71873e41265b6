"""Per-request HTTP metrics as a plain ASGI middleware (cheap: no request wrapping)."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orchestrator.metrics import OrchestratorMetrics


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: OrchestratorMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route: Any = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self.metrics.http_seconds.labels(scope["method"], path).observe(
                time.perf_counter() - start)
            self.metrics.http_requests.labels(scope["method"], path, str(status)).inc()
