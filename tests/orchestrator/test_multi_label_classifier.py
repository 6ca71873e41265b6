"""The orchestrator with a multi-label classifier (the Inside Out 4 emotions): the
finite-state-machine chatbot article's 0.8/0.6 thresholds and the labels mapped to core
emotions."""

from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat.taxonomy import INSIDE_OUT_LABELS
from emotion_chat.v1 import orchestrator_pb2 as pb
from orchestrator.core.policy import Thresholds


async def test_a_multi_label_model_gets_the_fsm_bots_thresholds(inside_out_model_dir) -> None:
    async with running_classifier(inside_out_model_dir) as classifier, \
            running_generator() as generator, \
            running_orchestrator(classifier.target, generator.target) as orch:
        assert orch.service.core.labels.thresholds == Thresholds(0.8, 0.6)
        reply = await orch.stub.Chat(pb.ChatRequest(conversation_id="io-1",
                                                    text="합격했는데 혼자 이사 가려니 무섭기도 해"))
        assert reply.emotion.label in INSIDE_OUT_LABELS or not reply.emotion.label
        assert reply.kind in (pb.REPLY_KIND_GENERATED, pb.REPLY_KIND_CONFIRM_QUESTION,
                              pb.REPLY_KIND_FALLBACK)
