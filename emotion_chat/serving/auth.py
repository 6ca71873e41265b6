"""Bearer-token authentication of a public gRPC service (metadata `authorization`).

Health checks and reflection stay open so Kubernetes probes and tooling work without a token.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import grpc

from emotion_chat.serving.interceptors import Behavior, wrap_handler

OPEN_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/",
                 "/grpc.reflection.v1.ServerReflection/")


REJECTION = "missing or invalid bearer token in the authorization metadata"


def _rejecting(inner: Behavior, method: str, streaming: bool) -> Behavior:
    if streaming:
        async def reject_stream(request: Any, context: grpc.aio.ServicerContext
                                ) -> AsyncIterator[Any]:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, REJECTION)
            yield  # pragma: no cover - makes this an async generator
        return reject_stream

    async def reject(request: Any, context: grpc.aio.ServicerContext) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, REJECTION)
    return reject


class BearerTokenInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, tokens: Iterable[str]) -> None:
        self._tokens = tuple(t.encode() for t in tokens if t)
        if not self._tokens:
            raise ValueError("bearer-token authentication needs at least one token")

    def _allowed(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        presented = token.strip().encode()
        return any(hmac.compare_digest(presented, t) for t in self._tokens)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(OPEN_SERVICES):
            return handler
        metadata = dict(handler_call_details.invocation_metadata or ())
        header = metadata.get("authorization", "")
        if isinstance(header, bytes):
            header = header.decode(errors="replace")
        if self._allowed(header):
            return handler
        return wrap_handler(handler, handler_call_details.method, _rejecting,
                            handler.request_deserializer)


def load_tokens(inline: str | None, token_file: str | None) -> list[str]:
    tokens = [t.strip() for t in (inline or "").split(",") if t.strip()]
    if token_file:
        with open(token_file, encoding="utf-8") as f:
            tokens += [line.strip() for line in f if line.strip()]
    return tokens
