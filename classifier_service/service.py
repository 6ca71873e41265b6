"""The classifier as a GrpcService: model loading, warm-up, batcher lifecycle, model info."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
from prometheus_client import CollectorRegistry

from classifier_service import convert
from classifier_service.batching import BatchPolicy, DynamicBatcher
from classifier_service.core import ClassifierCore
from classifier_service.demo import DEMO_MODEL_NAME, ensure_demo_model
from classifier_service.metrics import ClassifierMetrics
from classifier_service.model import ClassifierModel
from classifier_service.onnx_session import GPU_PROVIDERS, resolve_device
from classifier_service.servicer import ClassifierServicer
from classifier_service.settings import ClassifierSettings
from emotion_chat.errors import NotReadyError
from emotion_chat.serving.service import CoreService
from emotion_chat.v1 import classifier_pb2 as pb
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["ClassifierService"].full_name


@dataclass(frozen=True)
class DeviceDefaults:
    max_batch_size: int
    max_batch_tokens: int
    max_queue_delay_ms: float
    inference_workers: int
    max_padding_ratio: float


# Measured on a klue/bert-base-shaped model (see README "Batching defaults"): on CPU padding
# costs more than batching saves past ~16 texts and texts arriving during inference fill the
# next batch without waiting; on GPU large batches and two overlapping workers pay.
DEVICE_DEFAULTS = {
    "cpu": DeviceDefaults(max_batch_size=16, max_batch_tokens=2048, max_queue_delay_ms=0.0,
                          inference_workers=1, max_padding_ratio=0.2),
    "cuda": DeviceDefaults(max_batch_size=64, max_batch_tokens=16384, max_queue_delay_ms=2.0,
                           inference_workers=2, max_padding_ratio=1.0),
}


def defaults_for(providers: Sequence[str]) -> DeviceDefaults:
    """The GPU batching defaults only when the session really runs on the GPU (its active
    providers, not the device setting: ONNX Runtime may have fallen back to CPU)."""
    return DEVICE_DEFAULTS["cuda" if any(p in providers for p in GPU_PROVIDERS) else "cpu"]


def batch_policy(settings: ClassifierSettings, providers: Sequence[str]) -> BatchPolicy:
    """Explicit settings win; the rest come from `defaults_for(providers)`."""
    defaults = defaults_for(providers)

    def pick(value: float | None, default: float) -> float:
        return default if value is None else value

    return BatchPolicy(
        max_batch_size=int(pick(settings.max_batch_size, defaults.max_batch_size)),
        max_batch_tokens=int(pick(settings.max_batch_tokens, defaults.max_batch_tokens)),
        max_queue_delay_s=pick(settings.max_queue_delay_ms, defaults.max_queue_delay_ms) / 1e3,
        max_queue_size=settings.max_queue_size,
        workers=int(pick(settings.inference_workers, defaults.inference_workers)),
        max_padding_ratio=pick(settings.max_padding_ratio, defaults.max_padding_ratio),
    )


class ClassifierService(CoreService[ClassifierCore]):
    name = "classifier"
    service_name = SERVICE_NAME
    starting = "the classifier model is still loading"

    def __init__(self, settings: ClassifierSettings,
                 registry: CollectorRegistry | None = None) -> None:
        super().__init__(registry)
        self.settings = settings
        self.metrics = ClassifierMetrics(self.registry)
        self._info: pb.ModelInfo | None = None
        # Fail fast, before any server starts: device=cuda on an onnxruntime without CUDA.
        resolve_device(settings.device)

    @property
    def model_info(self) -> pb.ModelInfo:
        if self._info is None:
            raise NotReadyError(self.starting)
        return self._info

    def add_to_server(self, server: grpc.aio.Server) -> None:
        servicer = ClassifierServicer(lambda: self.core, lambda: self.model_info)
        pb_grpc.add_ClassifierServiceServicer_to_server(servicer, server)

    async def startup(self) -> None:
        s = self.settings
        if s.model:
            model_dir, default_name = Path(s.model), None
        else:
            model_dir, default_name = await ensure_demo_model(), DEMO_MODEL_NAME
        model = await asyncio.to_thread(
            ClassifierModel.load, model_dir, device=s.device, device_id=s.device_id,
            intra_op_threads=s.intra_op_threads, inter_op_threads=s.inter_op_threads,
            allow_spinning=s.allow_spinning, io_binding=s.io_binding, max_length=s.max_length,
            multi_label_threshold=s.multi_label_threshold,
            name=s.model_name or default_name, version=s.model_version)
        policy = batch_policy(s, model.session.providers)
        if s.warmup:
            await asyncio.to_thread(model.warm_up, policy.max_batch_size)
        batcher = DynamicBatcher(model.predict, policy, observer=self.metrics)
        await batcher.start()
        self._core = ClassifierCore(model, batcher, s, self.metrics)
        self._info = self._describe(model, policy)
        self.metrics.model.info({"name": model.name, "version": model.version,
                                 "execution_provider": model.session.provider,
                                 "problem_type": model.label_space.problem_type.value})
        log.info("classifier: %s (%s) on %s, %d labels, batching %s", model.name, model.version,
                 model.session.provider, len(model.label_space.labels), policy)

    async def shutdown(self) -> None:
        if self._core is not None:
            await self._core.batcher.stop()

    def _describe(self, model: ClassifierModel, policy: BatchPolicy) -> pb.ModelInfo:
        labels = model.label_space
        return pb.ModelInfo(
            model_name=model.name, model_version=model.version, labels=list(labels.labels),
            problem_type=convert.PROBLEM_TYPES[labels.problem_type],
            max_length=model.encoder.max_length,
            thresholds=list(labels.thresholds) if labels.multi_label else [],
            execution_provider=model.session.provider,
            batching=pb.BatchingInfo(
                max_batch_size=policy.max_batch_size, max_batch_tokens=policy.max_batch_tokens,
                max_queue_delay_ms=policy.max_queue_delay_s * 1e3,
                max_queue_size=policy.max_queue_size,
                max_texts_per_request=self.settings.max_texts_per_request))
