"""The orchestrator as a GrpcService: the store, the model adapters, the chat core, and its
front doors (gRPC, plus HTTP/JSON, OpenAI-compatible and Kakao on one HTTP server)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

import grpc
from prometheus_client import CollectorRegistry

from emotion_chat.language.morphs import warm_up
from emotion_chat.personas import PersonaRegistry
from emotion_chat.serving import SideServer
from emotion_chat.serving.auth import BearerTokenInterceptor, load_tokens
from emotion_chat.serving.service import CoreService
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc
from orchestrator.adapters import GrpcClassifier, GrpcGenerator, GrpcRecommender, open_channel
from orchestrator.adapters.webhook import WebhookNotifier
from orchestrator.channels.grpc.servicer import ChatServicer
from orchestrator.channels.http.server import HttpServer
from orchestrator.channels.kakao.callback import CallbackSender
from orchestrator.core.chat import ChatCore
from orchestrator.core.writer import FallbackReplies, ReplyWriter
from orchestrator.metrics import OrchestratorMetrics
from orchestrator.settings import OrchestratorSettings
from orchestrator.store import ConversationStore, open_store

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["ChatService"].full_name


class OrchestratorService(CoreService[ChatCore]):
    name = "orchestrator"
    service_name = SERVICE_NAME
    starting = "the orchestrator is still starting"

    def __init__(self, settings: OrchestratorSettings,
                 registry: CollectorRegistry | None = None) -> None:
        super().__init__(registry)
        self.settings = settings
        self.metrics = OrchestratorMetrics(self.registry)
        self.personas = PersonaRegistry.load(settings.personas_file, settings.default_persona)
        self.metrics.precreate_turns(self.personas.default)
        s = settings
        secret = s.auth_tokens.get_secret_value() if s.auth_tokens else None
        self.tokens = load_tokens(secret, str(s.auth_tokens_file) if s.auth_tokens_file else None)
        self.callbacks = CallbackSender()
        self.notifier: WebhookNotifier | None = None
        self._channels: list[grpc.aio.Channel] = []
        self._store: ConversationStore | None = None
        self._readiness: Callable[[bool], None] | None = None
        self._http = self._http_server() if s.http else None

    def interceptors(self) -> list[grpc.aio.ServerInterceptor]:
        return [BearerTokenInterceptor(self.tokens)] if self.tokens else []

    def side_servers(self) -> Sequence[SideServer]:
        return (self._http,) if self._http is not None else ()

    def _http_server(self) -> HttpServer:
        from orchestrator.channels.http.app import build_app
        from orchestrator.channels.http.context import HttpContext

        s = self.settings
        context = HttpContext(core=lambda: self.core, personas=self.personas, settings=s,
                              serving=lambda: self._http is not None and self._http.serving,
                              auth=bool(self.tokens))
        origins = [o.strip() for o in s.cors_origins.split(",") if o.strip()]
        app = build_app(context, self.tokens, origins, self.metrics)
        app.state.kakao_callbacks = self.callbacks
        return HttpServer(app, s.http_host, s.http_port, access_log=s.http_access_log,
                          cert_file=s.tls_cert_file, key_file=s.tls_key_file,
                          client_ca_file=s.tls_client_ca_file)

    def watch_readiness(self, publish: Callable[[bool], None]) -> None:
        """Not ready while the conversation store is unreachable (every turn would fail)."""
        self._readiness = publish
        if self._store is not None and self._store.health is not None:
            self._store.health.listen(publish)

    def add_to_server(self, server: grpc.aio.Server) -> None:
        pb_grpc.add_ChatServiceServicer_to_server(
            ChatServicer(lambda: self.core, self.personas), server)

    async def startup(self) -> None:
        s = self.settings
        store = open_store(s.store_url, s.conversation_ttl_s, s.max_stored_turns, s.lock_ttl_s,
                           max_conversations=s.max_conversations,
                           timeout_s=s.store_timeout_s)
        await store.start()
        self._store = store
        self.metrics.watch_store(store)
        if self._readiness is not None and store.health is not None:
            store.health.listen(self._readiness)
        classifier_channel = open_channel(s.classifier_target, [GrpcClassifier.SERVICE],
                                          s.downstream_retries, s.downstream_tls,
                                          s.downstream_tls_ca_file,
                                          s.downstream_reconnect_backoff_ms)
        generator_channel = open_channel(s.generator_target, [GrpcGenerator.SERVICE],
                                         s.downstream_retries, s.downstream_tls,
                                         s.downstream_tls_ca_file,
                                         s.downstream_reconnect_backoff_ms)
        self._channels = [classifier_channel, generator_channel]
        recommender = None
        if s.recommender_target:
            recommender_channel = open_channel(s.recommender_target, [GrpcRecommender.SERVICE],
                                               s.downstream_retries, s.downstream_tls,
                                               s.downstream_tls_ca_file,
                                               s.downstream_reconnect_backoff_ms)
            self._channels.append(recommender_channel)
            recommender = GrpcRecommender(recommender_channel, s.recommend_timeout_s)
        classifier = GrpcClassifier(classifier_channel, s.classify_timeout_s)
        fallback = FallbackReplies(self.personas)
        writer = ReplyWriter(GrpcGenerator(generator_channel, s.generate_timeout_s),
                             classifier, fallback, s.history_turns, s.max_regenerations)
        if s.crisis_webhook_url:
            self.notifier = WebhookNotifier(
                s.crisis_webhook_url, s.crisis_webhook_include_text,
                s.crisis_webhook_token.get_secret_value() if s.crisis_webhook_token else None)
        # Kiwi loads its model on first use (about a second): not on the first turn.
        await asyncio.to_thread(warm_up)
        await asyncio.to_thread(fallback.warm_up)
        core = ChatCore(store, classifier, writer, self.personas, s, self.metrics,
                        self.notifier, recommender)
        await core.start()
        self._core = core
        log.info("orchestrator: store %s, classifier %s, generator %s, recommender %s",
                 s.store_url.split("@")[-1], s.classifier_target, s.generator_target,
                 s.recommender_target or "none")

    async def shutdown(self) -> None:
        await self.callbacks.drain(self.settings.grace_period_s)
        if self.notifier is not None:
            await self.notifier.close(self.settings.grace_period_s)
        for channel in self._channels:
            await channel.close()
        if self._store is not None:
            await self._store.close()
