"""The generator as a GrpcService: personas, backend lifecycle, servicer."""

from __future__ import annotations

import logging

import grpc
from prometheus_client import CollectorRegistry

from emotion_chat.personas import PersonaRegistry
from emotion_chat.serving.service import CoreService
from emotion_chat.v1 import generator_pb2 as pb
from emotion_chat.v1 import generator_pb2_grpc as pb_grpc
from generator_service.backends import build_backend
from generator_service.core import GeneratorCore
from generator_service.metrics import GeneratorMetrics
from generator_service.servicer import GeneratorServicer
from generator_service.settings import GeneratorSettings

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["GeneratorService"].full_name


class GeneratorService(CoreService[GeneratorCore]):
    name = "generator"
    service_name = SERVICE_NAME
    starting = "the generator backend is still starting"

    def __init__(self, settings: GeneratorSettings,
                 registry: CollectorRegistry | None = None) -> None:
        super().__init__(registry)
        self.settings = settings
        self.metrics = GeneratorMetrics(self.registry)

    def add_to_server(self, server: grpc.aio.Server) -> None:
        pb_grpc.add_GeneratorServiceServicer_to_server(GeneratorServicer(lambda: self.core),
                                                       server)

    async def startup(self) -> None:
        personas = PersonaRegistry.load(self.settings.personas_file,
                                        self.settings.default_persona)
        backend = build_backend(self.settings, personas)
        await backend.startup()
        self._core = GeneratorCore(backend, personas, self.settings, self.metrics)
        self.metrics.backend.info({"backend": backend.name, "model": backend.model_name})
        self.metrics.precreate(backend.name, [p.id for p in personas])
        log.info("generator: backend %s (%s), personas %s", backend.name, backend.model_name,
                 ", ".join(p.id for p in personas))

    async def shutdown(self) -> None:
        if self._core is not None:
            await self._core.backend.shutdown()
