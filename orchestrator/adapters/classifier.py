"""The classifier port over gRPC (`emotion_chat.v1.ClassifierService`)."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from emotion_chat.serving.tracing import outgoing_metadata
from emotion_chat.v1 import classifier_pb2 as pb
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc
from orchestrator.adapters.grpc_channel import timeout_for, upstream_error
from orchestrator.core.ports import Classification, Classified, ModelInfo

TOP_K = 3


class GrpcClassifier:
    SERVICE = "emotion_chat.v1.ClassifierService"

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = pb_grpc.ClassifierServiceStub(channel)
        self._timeout_s = timeout_s

    async def classify(self, texts: Sequence[str], deadline: float | None = None) -> Classified:
        try:
            response = await self._stub.Classify(
                pb.ClassifyRequest(texts=list(texts), top_k=TOP_K),
                timeout=timeout_for(self._timeout_s, deadline), metadata=outgoing_metadata())
        except grpc.aio.AioRpcError as exc:
            raise upstream_error("the classifier", exc) from exc
        results = []
        for result in response.results:
            top = tuple((s.label, s.score) for s in result.scores)
            results.append(Classification(top[0][0], top[0][1], top))
        return Classified(results, response.model_version)

    async def model_info(self, deadline: float | None = None) -> ModelInfo:
        try:
            info = await self._stub.GetModelInfo(pb.GetModelInfoRequest(),
                                                 timeout=timeout_for(self._timeout_s, deadline),
                                                 metadata=outgoing_metadata())
        except grpc.aio.AioRpcError as exc:
            raise upstream_error("the classifier", exc) from exc
        return ModelInfo(info.model_name, info.model_version, tuple(info.labels),
                         info.problem_type == pb.PROBLEM_TYPE_MULTI_LABEL)
