"""A crisis turn handed to a human operator: a real orchestrator POSTs to a local receiver."""

import asyncio

from receiver import CallbackReceiver
from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat.v1 import orchestrator_pb2 as pb


async def _received(receiver: CallbackReceiver, count: int) -> None:
    for _ in range(200):
        if len(receiver.accepted) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the webhook received {receiver.accepted}")


async def test_a_crisis_turn_is_posted_to_the_operator_and_retried(tiny_model_dir) -> None:
    with CallbackReceiver(statuses=(503,)) as receiver:
        async with running_classifier(tiny_model_dir) as classifier, \
                running_generator() as generator, \
                running_orchestrator(classifier.target, generator.target,
                                     crisis_webhook_url=receiver.url,
                                     crisis_webhook_token="op-token") as orch:
            reply = await orch.stub.Chat(pb.ChatRequest(conversation_id="hook-1",
                                                        text="진짜 죽고 싶다 사는 게 너무 힘들어"))
            assert reply.kind == pb.REPLY_KIND_CRISIS  # answered at once, not after the POST
            await _received(receiver, 1)
    assert len(receiver.posts) == 2  # the 503 was retried
    (body,) = receiver.accepted
    assert body["event"] == "crisis" and body["conversation_id"] == "hook-1"
    assert body["channel"] == "grpc" and body["text"] == "진짜 죽고 싶다 사는 게 너무 힘들어"
    assert body["cue"] and body["persona"] == "bingbong" and body["turn_index"] == 0
    assert receiver.headers[-1]["Authorization"] == "Bearer op-token"


async def test_the_message_can_be_left_out(tiny_model_dir) -> None:
    with CallbackReceiver() as receiver:
        async with running_classifier(tiny_model_dir) as classifier, \
                running_generator() as generator, \
                running_orchestrator(classifier.target, generator.target,
                                     crisis_webhook_url=receiver.url,
                                     crisis_webhook_include_text=False) as orch:
            await orch.stub.Chat(pb.ChatRequest(conversation_id="hook-2",
                                                text="손목 그었어 또"))
            await _received(receiver, 1)
    assert "text" not in receiver.accepted[0] and "Authorization" not in receiver.headers[0]
