"""The emotion-consistency check with a classifier that finds 분노 in every text."""

from dataclasses import replace

import pytest
from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat.personas import PersonaRegistry
from emotion_chat.v1 import orchestrator_pb2 as pb
from orchestrator.adapters import GrpcClassifier, GrpcGenerator, open_channel
from orchestrator.core.types import DetectedEmotion, GenerationParams
from orchestrator.core.writer import FallbackReplies, Generation, ReplyWriter, Written

PERSONAS = PersonaRegistry.load()


@pytest.fixture(scope="module")
async def angry_stack(angry_model_dir):
    async with running_classifier(angry_model_dir) as classifier, running_generator() as gen:
        yield classifier, gen


async def test_contradicting_replies_are_regenerated_up_to_the_limit(angry_stack) -> None:
    classifier, generator = angry_stack
    classifier_channel = open_channel(f"127.0.0.1:{classifier.runner.port}", [], 1, False, None)
    generator_channel = open_channel(f"127.0.0.1:{generator.runner.port}", [], 1, False, None)
    writer = ReplyWriter(GrpcGenerator(generator_channel, 5), GrpcClassifier(
        classifier_channel, 5), FallbackReplies(PERSONAS), history_limit=10,
        max_regenerations=2)
    before = generator.metric("generator_replies_total", {
        "backend": "bank", "persona": "bingbong", "emotion": "행복"}) or 0
    happy = Generation(text="시험 붙었어!", history=(), emotion=DetectedEmotion("행복", 0.9),
                       persona=PERSONAS.resolve(""), params=GenerationParams(),
                       conversation_id="c", deadline=None)
    first = await writer.write(happy, None)
    checked = await writer.check_consistency(happy, first)
    # every reply reads as 분노, which a 행복 message should not get from 빙봉: after two
    # regenerations the first reply, the generator's best for the message, stays
    assert (checked.attempts, checked.consistent, checked.reply_emotion) == (3, False, "분노")
    assert checked.text == first.text
    after = generator.metric("generator_replies_total", {
        "backend": "bank", "persona": "bingbong", "emotion": "행복"})
    assert after == before + 3
    # 버럭이 may answer in anger: accepted at once
    accepted = await writer.check_consistency(replace(happy, persona=PERSONAS.resolve("anger")),
                                              Written("흥 잘했네"))
    assert (accepted.attempts, accepted.consistent) == (1, True)
    await classifier_channel.close()
    await generator_channel.close()


async def test_consistency_fields_through_the_orchestrator(angry_stack) -> None:
    classifier, generator = angry_stack
    async with running_orchestrator(f"127.0.0.1:{classifier.runner.port}",
                                    f"127.0.0.1:{generator.runner.port}",
                                    consistency_check=True) as orch:
        reply = await orch.stub.Chat(pb.ChatRequest(conversation_id="angry-1",
                                                    text="택배가 또 분실됐대"))
        assert reply.emotion.label == "분노" and reply.emotion.score > 0.9
        assert reply.kind == pb.REPLY_KIND_GENERATED
        assert (reply.generation_attempts, reply.reply_emotion, reply.emotion_consistent) == \
            (1, "분노", True)
        assert reply.timings.consistency_ms > 0
