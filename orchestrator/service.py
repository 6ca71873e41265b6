"""The orchestrator as a GrpcService: store, downstream channels, pipeline."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import grpc
from prometheus_client import CollectorRegistry

from emotion_chat.errors import NotReadyError
from emotion_chat.personas import PersonaRegistry
from emotion_chat.serving.auth import BearerTokenInterceptor, load_tokens
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc
from generator_service.backends.bank import BankBackend
from orchestrator.clients import ClassifierClient, GeneratorClient, open_channel
from orchestrator.generation import ReplyWriter
from orchestrator.metrics import OrchestratorMetrics
from orchestrator.pipeline import ChatPipeline
from orchestrator.servicer import ChatServicer
from orchestrator.settings import OrchestratorSettings
from orchestrator.store import ConversationStore, open_store

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["ChatService"].full_name


class OrchestratorService:
    name = "orchestrator"

    def __init__(self, settings: OrchestratorSettings,
                 registry: CollectorRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or CollectorRegistry()
        self.metrics = OrchestratorMetrics(self.registry)
        self.personas = PersonaRegistry.load(settings.personas_file, settings.default_persona)
        self._pipeline: ChatPipeline | None = None
        self._channels: list[grpc.aio.Channel] = []
        self._store: ConversationStore | None = None

    @property
    def service_names(self) -> Sequence[str]:
        return (SERVICE_NAME,)

    @property
    def pipeline(self) -> ChatPipeline:
        if self._pipeline is None:
            raise NotReadyError("the orchestrator is still starting")
        return self._pipeline

    def interceptors(self) -> list[grpc.aio.ServerInterceptor]:
        s = self.settings
        secret = s.auth_tokens.get_secret_value() if s.auth_tokens else None
        tokens = load_tokens(secret, str(s.auth_tokens_file) if s.auth_tokens_file else None)
        return [BearerTokenInterceptor(tokens)] if tokens else []

    def add_to_server(self, server: grpc.aio.Server) -> None:
        pb_grpc.add_ChatServiceServicer_to_server(
            ChatServicer(lambda: self.pipeline, self.personas), server)

    async def startup(self) -> None:
        s = self.settings
        store = open_store(s.store_url, s.conversation_ttl_s, s.max_stored_turns, s.lock_ttl_s)
        await store.start()
        self._store = store
        classifier_channel = open_channel(s.classifier_target, [ClassifierClient.SERVICE],
                                          s.downstream_retries, s.downstream_tls,
                                          s.downstream_tls_ca_file)
        generator_channel = open_channel(s.generator_target, [GeneratorClient.SERVICE],
                                         s.downstream_retries, s.downstream_tls,
                                         s.downstream_tls_ca_file)
        self._channels = [classifier_channel, generator_channel]
        classifier = ClassifierClient(classifier_channel, s.classify_timeout_s)
        fallback = BankBackend(self.personas)
        await fallback.startup()
        writer = ReplyWriter(GeneratorClient(generator_channel, s.generate_timeout_s),
                             classifier, fallback, s.history_turns, s.max_regenerations)
        self._pipeline = ChatPipeline(store, classifier, writer, self.personas, s, self.metrics)
        log.info("orchestrator: store %s, classifier %s, generator %s",
                 s.store_url.split("@")[-1], s.classifier_target, s.generator_target)

    async def shutdown(self) -> None:
        for channel in self._channels:
            await channel.close()
        if self._store is not None:
            await self._store.close()
