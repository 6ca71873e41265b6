"""Tracing in the shared serving layer: the server interceptor around a small real gRPC
server (tracing on and off), set-up from settings, and the JSON log lines."""

import contextvars
import io
import json
import logging
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator

import grpc
import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode
from spans import ended, recorded_spans, traceparent

from emotion_chat.errors import InvalidInputError
from emotion_chat.serving import tracing
from emotion_chat.serving.interceptors import ErrorMappingInterceptor
from emotion_chat.serving.logs import JsonFormatter, log_handler
from emotion_chat.serving.tracing import TracingInterceptor
from emotion_chat_cli.launch import start_service

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
SAY = "/test.Echo/Say"
STREAM = "/test.Echo/Count"


class Seen:
    """What the handler saw of the trace while it ran."""

    def __init__(self) -> None:
        self.ids: tuple[str, str] | None = None
        self.outgoing: tuple[tuple[str, str], ...] | None = None
        self.conversation: str | None = None

    def look(self) -> None:
        self.ids = tracing.current_ids()
        self.outgoing = tracing.outgoing_metadata()
        self.conversation = tracing.conversation_id.get()


@pytest.fixture
async def echo() -> AsyncIterator[tuple[grpc.aio.Channel, Seen]]:
    seen = Seen()

    async def say(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        seen.look()
        if request == b"invalid":
            raise InvalidInputError("bad text")
        if request == b"bug":
            raise ValueError("a bug")
        return request

    async def count(request: bytes, context: grpc.aio.ServicerContext
                    ) -> AsyncIterator[bytes]:
        seen.look()
        for n in range(3):
            yield str(n).encode()

    server = grpc.aio.server(interceptors=[TracingInterceptor(), ErrorMappingInterceptor()])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("test.Echo", {
        "Say": grpc.unary_unary_rpc_method_handler(say),
        "Count": grpc.unary_stream_rpc_method_handler(count)})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel, seen
    finally:
        await server.stop(None)


def incoming(conversation: str | None = None) -> tuple[tuple[str, str], ...]:
    metadata = [("traceparent", traceparent(TRACE, PARENT))]
    if conversation:
        metadata.append(("baggage", f"{tracing.CONVERSATION_BAGGAGE}={conversation}"))
    return tuple(metadata)


async def test_an_rpc_is_a_server_span_child_of_the_callers_traceparent(echo) -> None:
    channel, seen = echo
    with recorded_spans() as exporter:
        say = channel.unary_unary(SAY)
        assert await say(b"hi", metadata=incoming("c-7")) == b"hi"
        (span,) = await ended(exporter, count=1)
    assert span.name == "test.Echo/Say" and span.kind is SpanKind.SERVER
    assert f"{span.context.trace_id:032x}" == TRACE
    assert span.parent is not None and f"{span.parent.span_id:016x}" == PARENT
    assert span.attributes["rpc.system"] == "grpc" and span.attributes["rpc.method"] == "Say"
    assert span.attributes["rpc.grpc.status_code"] == 0
    assert span.status.status_code is StatusCode.UNSET
    # inside: the server span is current, forwarded downstream, with the conversation
    assert seen.ids == (TRACE, f"{span.context.span_id:016x}")
    forwarded = dict(seen.outgoing or ())
    assert forwarded["traceparent"] == traceparent(TRACE, seen.ids[1])
    assert "c-7" in forwarded["baggage"] and seen.conversation == "c-7"


async def test_without_a_traceparent_an_rpc_starts_a_trace(echo) -> None:
    channel, seen = echo
    with recorded_spans() as exporter:
        await channel.unary_unary(SAY)(b"hi")
        (span,) = await ended(exporter, count=1)
    assert span.parent is None and f"{span.context.trace_id:032x}" != TRACE
    assert seen.ids is not None and seen.ids[0] == f"{span.context.trace_id:032x}"


async def test_failed_rpcs_carry_their_status(echo) -> None:
    channel, _ = echo
    say = channel.unary_unary(SAY)
    with recorded_spans() as exporter:
        for text, code in ((b"invalid", grpc.StatusCode.INVALID_ARGUMENT),
                           (b"bug", grpc.StatusCode.INTERNAL)):
            with pytest.raises(grpc.aio.AioRpcError) as failed:
                await say(text)
            assert failed.value.code() == code
        invalid, bug = await ended(exporter, count=2)
    assert invalid.attributes["rpc.grpc.status_code"] == 3
    assert invalid.status.status_code is StatusCode.UNSET  # the caller's fault
    assert bug.attributes["rpc.grpc.status_code"] == 13
    assert bug.status.status_code is StatusCode.ERROR


async def test_a_streaming_rpc_is_one_span_over_the_whole_stream(echo) -> None:
    channel, seen = echo
    with recorded_spans() as exporter:
        answers = [r async for r in channel.unary_stream(STREAM)(b"", metadata=incoming())]
        (span,) = await ended(exporter, count=1)
    assert answers == [b"0", b"1", b"2"] and span.name == "test.Echo/Count"
    assert f"{span.context.trace_id:032x}" == TRACE and seen.ids is not None


async def test_tracing_off_passes_an_incoming_trace_through(echo) -> None:
    channel, seen = echo
    assert not tracing.enabled()
    await channel.unary_unary(SAY)(b"hi", metadata=incoming("c-9"))
    assert seen.ids == (TRACE, PARENT)  # the caller's span: nothing recorded here
    assert dict(seen.outgoing or ())["traceparent"] == traceparent(TRACE, PARENT)
    assert seen.conversation == "c-9"


async def test_tracing_off_leaves_an_untraced_rpc_alone(echo) -> None:
    channel, seen = echo
    await channel.unary_unary(SAY)(b"hi")
    assert seen.ids is None and seen.outgoing is None


async def test_health_checks_are_not_traced_without_a_traceparent() -> None:
    class Details(grpc.HandlerCallDetails):
        def __init__(self, method: str, metadata: tuple[tuple[str, str], ...]) -> None:
            self.method, self.invocation_metadata = method, metadata

    handler = grpc.unary_unary_rpc_method_handler(lambda request, context: request)

    async def continuation(details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        return handler

    interceptor = TracingInterceptor()
    check = "/grpc.health.v1.Health/Check"
    with recorded_spans():
        plain = await interceptor.intercept_service(continuation, Details(check, ()))
        traced = await interceptor.intercept_service(continuation, Details(check, incoming()))
        ours = await interceptor.intercept_service(continuation, Details(SAY, ()))
    assert plain is handler and traced is not handler and ours is not handler


def _run(code: str, **env: str) -> str:
    environment = {"PATH": "/usr/bin:/bin", **env}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=environment, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_tracing_off_installs_no_sdk() -> None:
    out = _run("""
        import sys
        from opentelemetry import trace
        from emotion_chat.serving import tracing
        from emotion_chat.serving.runner import ServiceRunner
        import orchestrator.service, classifier_service.service, generator_service.service
        assert tracing.setup_tracing("orchestrator", None) is False
        assert not tracing.enabled()
        assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
        loaded = [m for m in sys.modules if m.startswith(("opentelemetry.sdk",
                                                          "opentelemetry.exporter"))]
        print("loaded:", loaded)
    """)
    assert out.strip() == "loaded: []"


def test_an_endpoint_installs_the_sdk_with_the_service_name() -> None:
    code = """
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from emotion_chat.serving import tracing
        assert tracing.setup_tracing("classifier", {endpoint!r}, 0.25) is True
        provider = trace.get_tracer_provider()
        assert isinstance(provider, TracerProvider) and tracing.enabled()
        print(provider.resource.attributes["service.name"], provider.sampler.get_description())
    """
    out = _run(code.format(endpoint="http://127.0.0.1:9"))
    assert out.startswith("classifier ParentBased") and "0.25" in out
    # the standard variable turns it on too
    out = _run(code.format(endpoint=None), OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert out.startswith("classifier ")


# -- logs --------------------------------------------------------------------------------------

def _record(logger: logging.Logger, message: str) -> dict:
    stream = io.StringIO()
    handler = log_handler("json", "orchestrator", stream)
    logger.addHandler(handler)
    try:
        logger.warning(message, "x")
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    return json.loads(line)


def test_json_lines_name_the_turn_being_handled() -> None:
    logger = logging.getLogger("test.tracing.json")
    logger.propagate = False
    outside = contextvars.Context().run(_record, logger, "before %s")  # outside any turn
    assert outside["message"] == "before x" and outside["service"] == "orchestrator"
    assert outside["level"] == "WARNING" and outside["logger"] == "test.tracing.json"
    assert outside["time"].endswith("Z")
    assert not {"conversation_id", "trace_id", "span_id"} & set(outside)

    parent = trace.NonRecordingSpan(trace.SpanContext(
        int(TRACE, 16), int(PARENT, 16), is_remote=True,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)))
    token = otel_context.attach(trace.set_span_in_context(parent))
    conversation = tracing.conversation_id.set("대화-1")
    try:
        inside = _record(logger, "during %s")
    finally:
        tracing.conversation_id.reset(conversation)
        otel_context.detach(token)
    assert inside["conversation_id"] == "대화-1"
    assert (inside["trace_id"], inside["span_id"]) == (TRACE, PARENT)


def test_json_lines_carry_exceptions() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (),
                                   sys.exc_info())
    line = json.loads(JsonFormatter("classifier").format(record))
    assert line["message"] == "failed" and "RuntimeError: boom" in line["exception"]


def test_serve_with_log_format_json_writes_json_lines() -> None:
    process = start_service("generator", ["--host", "127.0.0.1", "--port", "0",
                                          "--metrics-port", "0", "--log-format", "json"],
                            timeout=60)
    try:
        assert process.port
    finally:
        assert process.stop() == 0
    lines = [json.loads(line) for line in process.output if not line.startswith("READY ")]
    assert lines and all(line["service"] == "generator" for line in lines)
    assert any("SERVING" in line["message"] for line in lines)



async def test_a_handler_that_streams_with_write_is_traced_too() -> None:
    async def write(request: bytes, context: grpc.aio.ServicerContext) -> None:
        await context.write(b"a")
        await context.write(b"b")

    server = grpc.aio.server(interceptors=[TracingInterceptor()])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "test.Echo", {"Write": grpc.unary_stream_rpc_method_handler(write)})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        with recorded_spans() as exporter:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                call = channel.unary_stream("/test.Echo/Write")(b"", metadata=incoming())
                assert [r async for r in call] == [b"a", b"b"]
            (span,) = await ended(exporter, count=1)
    finally:
        await server.stop(None)
    assert span.name == "test.Echo/Write" and span.attributes["rpc.grpc.status_code"] == 0
