"""Server interceptors: domain errors → gRPC status codes, and per-RPC metrics.

`ErrorMappingInterceptor` is the one place where exceptions become status codes:
`EmotionChatError` subclasses carry their code and a message safe to show; anything else is
logged with its traceback and answered INTERNAL with a generic text. `RpcMetricsInterceptor`
counts requests by method and status code, times them and tracks the RPCs in flight.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from emotion_chat.errors import EmotionChatError, ErrorCode, InvalidInputError
from emotion_chat.serving.status import grpc_code

log = logging.getLogger(__name__)

INTERNAL_ERROR_TEXT = "internal error"

# (request_or_iterator, context) -> awaitable response, or async iterator of responses.
Behavior = Callable[[Any, grpc.aio.ServicerContext], Any]
# Wraps a behaviour: (inner, method name, is_response_streaming) -> new behaviour.
Wrapper = Callable[[Behavior, str, bool], Behavior]


Deserializer = Callable[[bytes], Any] | None


def wrap_handler(handler: grpc.RpcMethodHandler, method: str, wrap: Wrapper,
                 deserializer: Deserializer) -> grpc.RpcMethodHandler:
    """Rebuild a method handler with its behaviour wrapped, whatever its streaming kind."""
    if handler.unary_unary:
        build, behavior, streaming = (grpc.unary_unary_rpc_method_handler,
                                      handler.unary_unary, False)
    elif handler.unary_stream:
        build, behavior, streaming = (grpc.unary_stream_rpc_method_handler,
                                      handler.unary_stream, True)
    elif handler.stream_unary:
        build, behavior, streaming = (grpc.stream_unary_rpc_method_handler,
                                      handler.stream_unary, False)
    else:
        build, behavior, streaming = (grpc.stream_stream_rpc_method_handler,
                                      handler.stream_stream, True)
    return build(wrap(behavior, method, streaming), request_deserializer=deserializer,
                 response_serializer=handler.response_serializer)


class UndecodableRequest:
    """Stands in for a request message that failed to parse (e.g. a string with bad UTF-8)."""

    def __init__(self, error: Exception) -> None:
        self.error = error


class _CachingInterceptor(grpc.aio.ServerInterceptor):
    """Wraps each method's handler once and reuses the wrapper while the inner handler is the
    same object (an interceptor further in may return a different handler per call)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    def wrap(self, inner: Behavior, method: str, streaming: bool) -> Behavior:
        raise NotImplementedError

    def wrap_deserializer(self, deserializer: Deserializer) -> Deserializer:
        return deserializer

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = handler_call_details.method
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        cached = self._cache.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = wrap_handler(handler, method, self.wrap,
                               self.wrap_deserializer(handler.request_deserializer))
        self._cache[method] = (handler, wrapped)
        return wrapped


class ErrorMappingInterceptor(_CachingInterceptor):
    """Turns exceptions raised by servicers into gRPC statuses (see module docstring).

    Requests that do not parse (bad UTF-8 in a string field, garbage bytes) are answered
    INVALID_ARGUMENT instead of grpc's default UNKNOWN.
    """

    def wrap_deserializer(self, deserializer: Deserializer) -> Deserializer:
        if deserializer is None:
            return None
        parse = deserializer

        def tolerant(data: bytes) -> Any:
            try:
                return parse(data)
            except Exception as exc:
                return UndecodableRequest(exc)
        return tolerant

    def wrap(self, inner: Behavior, method: str, streaming: bool) -> Behavior:
        def checked(request: Any) -> Any:
            if isinstance(request, UndecodableRequest):
                raise InvalidInputError(f"request is not a valid message: {request.error}")
            if hasattr(request, "__aiter__"):
                return _checked_stream(request)
            return request

        async def abort_for(exc: BaseException, context: grpc.aio.ServicerContext) -> None:
            if isinstance(exc, EmotionChatError):
                if exc.code in (ErrorCode.INTERNAL, ErrorCode.UNKNOWN):
                    log.error("%s failed: %s", method, exc.message, exc_info=exc)
                await context.abort(grpc_code(exc.code), exc.message)
            log.exception("%s failed with an unexpected error", method, exc_info=exc)
            await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_ERROR_TEXT)

        if streaming:
            async def streaming_behavior(request: Any, context: grpc.aio.ServicerContext
                                         ) -> AsyncIterator[Any]:
                try:
                    async for response in inner(checked(request), context):
                        yield response
                except (grpc.aio.AbortError, asyncio.CancelledError):
                    raise
                except Exception as exc:
                    await abort_for(exc, context)
            return streaming_behavior

        async def unary_behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:
            try:
                return await inner(checked(request), context)
            except (grpc.aio.AbortError, asyncio.CancelledError):
                raise
            except Exception as exc:
                await abort_for(exc, context)
        return unary_behavior


async def _checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    index = 0
    async for request in requests:
        if isinstance(request, UndecodableRequest):
            raise InvalidInputError(f"stream message {index} is not a valid message: "
                                    f"{request.error}")
        yield request
        index += 1


class RpcMetrics:
    """The standard per-RPC series, registered in one service's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.handled = Counter(
            "grpc_server_handled", "RPCs completed, by method and status code.",
            ["grpc_method", "grpc_code"], registry=registry)
        self.handling_seconds = Histogram(
            "grpc_server_handling_seconds", "Time from receiving an RPC to its status.",
            ["grpc_method"], registry=registry,
            buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
        self.in_flight = Gauge(
            "grpc_server_in_flight", "RPCs being handled now.", ["grpc_method"],
            registry=registry)


class RpcMetricsInterceptor(_CachingInterceptor):
    """Requests by method and code, latency, in-flight (outermost interceptor)."""

    def __init__(self, metrics: RpcMetrics) -> None:
        super().__init__()
        self._metrics = metrics

    def wrap(self, inner: Behavior, method: str, streaming: bool) -> Behavior:
        short = method.rsplit("/", 1)[-1]
        in_flight = self._metrics.in_flight.labels(short)
        seconds = self._metrics.handling_seconds.labels(short)
        handled = self._metrics.handled

        def finish(start: float, code: str) -> None:
            in_flight.dec()
            seconds.observe(time.perf_counter() - start)
            handled.labels(short, code).inc()

        def code_after(exc: BaseException, context: grpc.aio.ServicerContext) -> str:
            if isinstance(exc, asyncio.CancelledError):
                return grpc.StatusCode.CANCELLED.name
            code = context.code()
            return code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN"

        if streaming:
            async def streaming_behavior(request: Any, context: grpc.aio.ServicerContext
                                         ) -> AsyncIterator[Any]:
                start = time.perf_counter()
                in_flight.inc()
                code = "OK"
                try:
                    async for response in inner(request, context):
                        yield response
                except BaseException as exc:
                    code = code_after(exc, context)
                    raise
                finally:
                    finish(start, code)
            return streaming_behavior

        async def unary_behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:
            start = time.perf_counter()
            in_flight.inc()
            code = "OK"
            try:
                return await inner(request, context)
            except BaseException as exc:
                code = code_after(exc, context)
                raise
            finally:
                finish(start, code)
        return unary_behavior
