"""Server interceptors: domain errors → gRPC status codes, and per-RPC metrics.

`ErrorMappingInterceptor` is the one place where exceptions become status codes:
`EmotionChatError` subclasses carry their code and a message safe to show; anything else is
logged with its traceback and answered INTERNAL with a generic text. `RpcMetricsInterceptor`
keeps go-grpc-prometheus's series (`grpc_server_started_total`, `grpc_server_handled_total`,
`grpc_server_handling_seconds`, message counters, by `grpc_service`, `grpc_method` and
`grpc_type`) and the RPCs in flight.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import grpc
from google.protobuf import descriptor_pool
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
                    async for response in responses_of(inner(checked(request), context)):
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


async def responses_of(result: Any) -> AsyncIterator[Any]:
    """A streaming handler's responses, whichever way it sends them: an async generator
    yields them; a coroutine writes them with `context.write()` and returns (grpcio's own
    health servicer's Watch does), so it is awaited and yields nothing here."""
    if inspect.isawaitable(result) and not hasattr(result, "__aiter__"):
        await result
        return
    async for response in result:
        yield response


async def _checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    index = 0
    async for request in requests:
        if isinstance(request, UndecodableRequest):
            raise InvalidInputError(f"stream message {index} is not a valid message: "
                                    f"{request.error}")
        yield request
        index += 1


RPC_TYPES = ("unary", "client_stream", "server_stream", "bidi_stream")
"""The `grpc_type` label values (go-grpc-prometheus's)."""


def rpc_type(request_streaming: bool, response_streaming: bool) -> str:
    """The `grpc_type` of a method: unary, client_stream, server_stream or bidi_stream."""
    if request_streaming:
        return "bidi_stream" if response_streaming else "client_stream"
    return "server_stream" if response_streaming else "unary"


def split_method(full_method: str) -> tuple[str, str]:
    """"/pkg.Service/Method" → ("pkg.Service", "Method") (`grpc_service`, `grpc_method`)."""
    service, _, method = full_method.lstrip("/").rpartition("/")
    return service, method


class RpcMetrics:
    """The per-RPC series of go-grpc-prometheus (and py-grpc-prometheus), registered in one
    service's registry: `grpc_server_started_total`, `grpc_server_handled_total` (with
    `grpc_code`), `grpc_server_handling_seconds`, `grpc_server_msg_received_total` and
    `grpc_server_msg_sent_total`, all by `grpc_service`, `grpc_method` and `grpc_type`, plus
    `grpc_server_in_flight` by service and method. Health checks and reflection are counted
    too, under their own `grpc_service`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ["grpc_service", "grpc_method", "grpc_type"]
        self.started = Counter(
            "grpc_server_started", "RPCs started on the server.", labels, registry=registry)
        self.handled = Counter(
            "grpc_server_handled", "RPCs completed on the server, by status code.",
            [*labels, "grpc_code"], registry=registry)
        self.handling_seconds = Histogram(
            "grpc_server_handling_seconds",
            "Time from receiving an RPC to its status (whole streams included).", labels,
            registry=registry,
            buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
        self.msg_received = Counter(
            "grpc_server_msg_received", "Request messages received on the server.", labels,
            registry=registry)
        self.msg_sent = Counter(
            "grpc_server_msg_sent", "Response messages sent by the server.", labels,
            registry=registry)
        self.in_flight = Gauge(
            "grpc_server_in_flight", "RPCs being handled now.", ["grpc_service", "grpc_method"],
            registry=registry)

    def precreate(self, service_names: Iterable[str],
                  pool: descriptor_pool.DescriptorPool | None = None) -> None:
        """Zero series for every method of these services (found in the protobuf descriptor
        pool), so that dashboards show 0 instead of no data before the first call: started,
        handled with OK, messages and in flight."""
        pool = pool or descriptor_pool.Default()
        for name in service_names:
            service = pool.FindServiceByName(name)
            for method in service.methods:
                labels = (service.full_name, method.name,
                          rpc_type(method.client_streaming, method.server_streaming))
                self.started.labels(*labels)
                self.handled.labels(*labels, grpc.StatusCode.OK.name)
                self.msg_received.labels(*labels)
                self.msg_sent.labels(*labels)
                self.in_flight.labels(service.full_name, method.name)


class RpcMetricsInterceptor(_CachingInterceptor):
    """Started, handled by code, latency, messages and in-flight RPCs (outermost
    interceptor)."""

    def __init__(self, metrics: RpcMetrics) -> None:
        super().__init__()
        self._metrics = metrics
        self._types: dict[str, str] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        async def noting_type(details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
            handler = await continuation(details)
            if handler is not None:
                self._types[details.method] = rpc_type(handler.request_streaming,
                                                       handler.response_streaming)
            return handler
        return await super().intercept_service(noting_type, handler_call_details)

    def wrap(self, inner: Behavior, method: str, streaming: bool) -> Behavior:
        service, name = split_method(method)
        kind = self._types.get(method) or rpc_type(False, streaming)
        m = self._metrics
        labels = (service, name, kind)
        started = m.started.labels(*labels)
        received = m.msg_received.labels(*labels)
        sent = m.msg_sent.labels(*labels)
        seconds = m.handling_seconds.labels(*labels)
        in_flight = m.in_flight.labels(service, name)
        handled = m.handled
        request_streaming = kind in ("client_stream", "bidi_stream")

        def begin(request: Any) -> tuple[float, Any]:
            started.inc()
            in_flight.inc()
            if request_streaming:
                return time.perf_counter(), _counted(request, received)
            received.inc()
            return time.perf_counter(), request

        def finish(start: float, code: grpc.StatusCode) -> None:
            in_flight.dec()
            seconds.observe(time.perf_counter() - start)
            handled.labels(*labels, code.name).inc()

        if streaming:
            async def streaming_behavior(request: Any, context: grpc.aio.ServicerContext
                                         ) -> AsyncIterator[Any]:
                start, request = begin(request)
                code = grpc.StatusCode.UNKNOWN
                try:
                    async for response in responses_of(inner(request, context)):
                        sent.inc()
                        yield response
                    code = _status(context, grpc.StatusCode.OK)
                except BaseException as exc:
                    code = _status_after(exc, context)
                    raise
                finally:
                    finish(start, code)
            return streaming_behavior

        async def unary_behavior(request: Any, context: grpc.aio.ServicerContext) -> Any:
            start, request = begin(request)
            code = grpc.StatusCode.UNKNOWN
            try:
                response = await inner(request, context)
                sent.inc()
                code = _status(context, grpc.StatusCode.OK)
                return response
            except BaseException as exc:
                code = _status_after(exc, context)
                raise
            finally:
                finish(start, code)
        return unary_behavior


async def _counted(requests: AsyncIterator[Any], received: Counter) -> AsyncIterator[Any]:
    async for request in requests:
        received.inc()
        yield request


def _status(context: grpc.aio.ServicerContext, default: grpc.StatusCode) -> grpc.StatusCode:
    """The status the servicer set (`set_code`, `abort`), else the default."""
    code = context.code()
    return code if isinstance(code, grpc.StatusCode) else default


def _status_after(exc: BaseException, context: grpc.aio.ServicerContext) -> grpc.StatusCode:
    if isinstance(exc, asyncio.CancelledError):
        return grpc.StatusCode.CANCELLED
    return _status(context, grpc.StatusCode.UNKNOWN)
