"""One trace per turn: the orchestrator's turn and stage spans, the classifier's (with the
batch its text ran in) and the generator's, over real gRPC servers on free ports; W3C trace
context from gRPC metadata and HTTP headers; JSON log lines of a turn."""

import contextvars
import gc
import io
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.trace import SpanKind, StatusCode
from servers import RunningService, running_classifier, running_generator, running_orchestrator
from spans import ended, recorded_spans, traceparent

from emotion_chat.serving import tracing
from emotion_chat.serving.logs import log_handler
from emotion_chat.v1 import orchestrator_pb2 as pb
from orchestrator.core.types import (
    UNKNOWN_EMOTION,
    DialogueState,
    ReplyKind,
    TurnCompleted,
    TurnResult,
)
from orchestrator.tracing import start_turn

TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT = "b7ad6b7169203331"
STAGES = {"chat.lock", "chat.load", "chat.classify", "chat.generate", "chat.consistency",
          "chat.save"}
CRISIS = "요즘 진짜 죽고 싶다는 생각만 들어"


def cid() -> str:
    return f"trace-{uuid.uuid4().hex[:10]}"


def hex_id(value: int, width: int = 32) -> str:
    return f"{value:0{width}x}"


@pytest.fixture(scope="module")
async def stack(tiny_model_dir) -> AsyncIterator[RunningService]:
    async with running_classifier(tiny_model_dir) as classifier, \
            running_generator() as generator, \
            running_orchestrator(classifier.target, generator.target, answer_threshold=0.0,
                                 confirm_threshold=0.0) as orch:
        yield orch


def by_name(spans, name):
    return [s for s in spans if s.name == name]


async def test_a_turn_is_one_trace_across_the_services(stack) -> None:
    conversation = cid()
    with recorded_spans() as exporter:
        reply = await stack.stub.Chat(pb.ChatRequest(conversation_id=conversation,
                                                     text="오늘 시험 끝나서 너무 행복해!"))
        spans = await ended(exporter, "emotion_chat.v1.ChatService/Chat", "chat.turn")
    assert reply.kind == pb.REPLY_KIND_GENERATED
    (turn,) = by_name(spans, "chat.turn")
    assert {s.context.trace_id for s in spans} == {turn.context.trace_id}  # one trace
    (front,) = by_name(spans, "emotion_chat.v1.ChatService/Chat")
    assert front.kind is SpanKind.SERVER and front.parent is None
    assert turn.parent.span_id == front.context.span_id
    a = turn.attributes
    assert a["emotion_chat.conversation_id"] == conversation
    assert a["emotion_chat.channel"] == "grpc" and a["emotion_chat.reply_kind"] == "generated"
    assert a["emotion_chat.emotion"] == reply.emotion.label
    assert a["emotion_chat.persona"] == reply.persona and a["emotion_chat.degraded"] == ()
    # a span per stage, inside the turn, as long as the stage the reply reports
    stages = {s.name: s for s in spans if s.name.startswith("chat.") and s is not turn}
    assert set(stages) == STAGES
    for stage in stages.values():
        assert stage.parent.span_id == turn.context.span_id
        assert turn.start_time <= stage.start_time <= stage.end_time <= turn.end_time
    generate_ms = (stages["chat.generate"].end_time - stages["chat.generate"].start_time) / 1e6
    assert generate_ms == pytest.approx(reply.timings.generate_ms, abs=0.01)
    # the classifier: the message and the consistency check, each with the batch it ran in
    classified = by_name(spans, "emotion_chat.v1.ClassifierService/Classify")
    assert len(classified) == 2
    batches = by_name(spans, "classify.batch")
    for server in classified:
        assert server.kind is SpanKind.SERVER
        assert server.parent.span_id == turn.context.span_id
        (batch,) = [b for b in batches if b.parent.span_id == server.context.span_id]
        b = batch.attributes
        assert server.attributes["emotion_chat.batch.ids"] == (b["emotion_chat.batch.id"],)
        assert b["emotion_chat.batch.size"] >= 1 and b["emotion_chat.batch.padded_length"] > 0
        assert b["emotion_chat.batch.request_texts"] == 1
        assert b["emotion_chat.batch.queue_wait_ms"] >= 0
        assert server.start_time <= batch.start_time <= batch.end_time <= server.end_time
    # the generator
    (generated,) = by_name(spans, "emotion_chat.v1.GeneratorService/GenerateStream")
    assert generated.parent.span_id == turn.context.span_id
    assert generated.attributes["emotion_chat.generator.backend"] == "bank"
    assert generated.attributes["emotion_chat.conversation_id"] == conversation


async def test_a_traceparent_in_grpc_metadata_is_the_turns_parent(stack) -> None:
    with recorded_spans() as exporter:
        events = [e async for e in stack.stub.ChatStream(
            pb.ChatRequest(conversation_id=cid(), text="친구랑 싸워서 속상해"),
            metadata=(("traceparent", traceparent(TRACE, PARENT)),))]
        spans = await ended(exporter, "emotion_chat.v1.ChatService/ChatStream", "chat.turn")
    assert events[-1].HasField("done")
    assert {hex_id(s.context.trace_id) for s in spans} == {TRACE}
    (front,) = by_name(spans, "emotion_chat.v1.ChatService/ChatStream")
    assert hex_id(front.parent.span_id, 16) == PARENT and front.parent.is_remote
    (turn,) = by_name(spans, "chat.turn")
    assert turn.parent.span_id == front.context.span_id
    assert by_name(spans, "emotion_chat.v1.ClassifierService/Classify")
    assert by_name(spans, "emotion_chat.v1.GeneratorService/GenerateStream")


async def test_a_traceparent_header_is_the_http_turns_parent(stack) -> None:
    conversation = cid()
    with recorded_spans() as exporter:
        async with httpx.AsyncClient(base_url=stack.http_url, timeout=20) as http:
            answer = await http.post(f"/v1/conversations/{conversation}/messages",
                                     json={"text": "오늘 너무 피곤하다"},
                                     headers={"traceparent": traceparent(TRACE, PARENT)})
            await http.get("/healthz")  # probes are not traced
        assert answer.status_code == 200
        spans = await ended(exporter, "POST /v1/conversations/{conversation_id}/messages")
    assert {hex_id(s.context.trace_id) for s in spans} == {TRACE}
    (front,) = by_name(spans, "POST /v1/conversations/{conversation_id}/messages")
    assert front.kind is SpanKind.SERVER and hex_id(front.parent.span_id, 16) == PARENT
    assert front.attributes["http.response.status_code"] == 200
    (turn,) = by_name(spans, "chat.turn")
    assert turn.parent.span_id == front.context.span_id
    assert turn.attributes["emotion_chat.channel"] == "http"


def _json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class _Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = log_handler("json", "orchestrator", self.stream)
        self.logger = logging.getLogger("orchestrator")

    def __enter__(self) -> "_Captured":
        self.level = self.logger.level
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)

    def crisis_line(self) -> dict:
        (line,) = [e for e in _json_lines(self.stream) if "crisis turn" in e["message"]]
        return line


async def test_json_log_lines_of_a_turn_carry_its_conversation_and_trace(stack) -> None:
    conversation = cid()
    with recorded_spans() as exporter, _Captured() as captured:
        reply = await stack.stub.Chat(pb.ChatRequest(conversation_id=conversation,
                                                     text=CRISIS))
        (turn,) = by_name(await ended(exporter, "chat.turn"), "chat.turn")
    assert reply.kind == pb.REPLY_KIND_CRISIS
    line = captured.crisis_line()
    assert line["conversation_id"] == conversation and line["service"] == "orchestrator"
    assert line["trace_id"] == hex_id(turn.context.trace_id)
    assert line["span_id"] == hex_id(turn.context.span_id, 16)


async def test_tracing_off_log_lines_keep_the_conversation_and_a_callers_trace(stack) -> None:
    assert not tracing.enabled()
    conversation = cid()
    with _Captured() as captured:
        await stack.stub.Chat(pb.ChatRequest(conversation_id=conversation, text=CRISIS),
                              metadata=(("traceparent", traceparent(TRACE, PARENT)),))
    line = captured.crisis_line()
    assert line["conversation_id"] == conversation
    assert (line["trace_id"], line["span_id"]) == (TRACE, PARENT)
    with _Captured() as captured:
        await stack.stub.Chat(pb.ChatRequest(conversation_id=cid(), text=CRISIS))
    line = captured.crisis_line()
    assert line["conversation_id"] and "trace_id" not in line


def test_a_turn_that_raised_ends_its_span_and_is_no_parent_of_the_next() -> None:
    contextvars.Context().run(_a_turn_raises_then_another_runs)  # as in a task of its own


def _a_turn_raises_then_another_runs() -> None:
    with recorded_spans() as exporter:
        failed = start_turn("c-1", "grpc", time.perf_counter())
        assert failed is not None
        failed.stage("lock", time.perf_counter(), time.perf_counter())
        # the turn raised: neither finished nor completed, its context still attached
        following = start_turn("c-2", "grpc", time.perf_counter())
        assert following is not None
        del failed
        gc.collect()
        spans = exporter.get_finished_spans()
        (first,) = [s for s in spans if s.attributes.get("emotion_chat.conversation_id")
                    == "c-1"]
        assert first.status.status_code is StatusCode.ERROR
        assert following._span.parent is None  # not a child of the failed turn
        following.finish(time.perf_counter())
        following.observe(lambda event: None)(TurnCompleted(TurnResult(
            "c-2", "reply", UNKNOWN_EMOTION, "bingbong", ReplyKind.RULE, DialogueState.IDLE,
            0)))
        assert tracing.current_ids() is None  # back outside any turn
    assert tracing.conversation_id.get() == "c-2"
