"""Thin gRPC adapter over ClassifierCore."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import grpc

from classifier_service import convert
from classifier_service.core import ClassifierCore, StreamItem
from emotion_chat.servicing import deadline_of
from emotion_chat.v1 import classifier_pb2 as pb
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc


class ClassifierServicer(pb_grpc.ClassifierServiceServicer):
    def __init__(self, core: Callable[[], ClassifierCore], model_info: Callable[[], pb.ModelInfo]
                 ) -> None:
        # Callables: the core exists only once the model is loaded (NotReadyError before).
        self._core = core
        self._model_info = model_info

    async def Classify(self, request: pb.ClassifyRequest,
                       context: grpc.aio.ServicerContext) -> pb.ClassifyResponse:
        core = self._core()
        result = await core.classify(request.texts, deadline_of(context))
        model = core.model
        return convert.classify_response(result, model.label_space, request.top_k, model.name,
                                         model.version)

    async def ClassifyStream(self, request_iterator: AsyncIterator[pb.ClassifyStreamRequest],
                             context: grpc.aio.ServicerContext
                             ) -> AsyncIterator[pb.ClassifyStreamResponse]:
        core = self._core()

        async def items() -> AsyncIterator[StreamItem]:
            async for request in request_iterator:
                yield StreamItem(request.id, request.text, request.top_k)

        labels = core.model.label_space
        async for item, result in core.classify_stream(items()):
            yield pb.ClassifyStreamResponse(
                id=item.id, result=convert.classification(result, labels, item.top_k))

    async def GetModelInfo(self, request: pb.GetModelInfoRequest,
                           context: grpc.aio.ServicerContext) -> pb.ModelInfo:
        return self._model_info()
