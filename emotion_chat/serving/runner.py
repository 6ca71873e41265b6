"""Run one gRPC service: the bootstrap every `emotion-chat serve <service>` shares.

A service implements `GrpcService` (register its servicers, load + warm up, release). The
runner builds a `grpc.aio` server with the interceptors, the standard `grpc.health.v1` health
service (NOT_SERVING until `startup()` has finished: model loaded and warmed up), server
reflection, and a Prometheus /metrics endpoint serving the service's own registry. A service
may bring side servers in the same event loop (the orchestrator's HTTP front door); they
start with the gRPC server and follow its readiness. On SIGTERM or SIGINT it turns health
to NOT_SERVING, stops taking RPCs and requests on every server, gives in-flight work the
grace period, then shuts the service down.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable
from wsgiref.simple_server import WSGIServer

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    start_http_server,
)

from emotion_chat.serving.interceptors import (
    ErrorMappingInterceptor,
    RpcMetrics,
    RpcMetricsInterceptor,
)
from emotion_chat.serving.tracing import TracingInterceptor
from emotion_chat.settings import ServiceSettings

log = logging.getLogger(__name__)

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class SideServer(Protocol):
    """Another server of the service in the same event loop (e.g. HTTP on uvicorn)."""

    name: str
    """Short name; the READY line reports its port as `<name>_port=`."""

    port: int
    """The bound port (known once started)."""

    serving: bool
    """Set by the runner: ready for traffic (the server's readiness endpoint follows it)."""

    async def start(self) -> None: ...

    async def stop(self, grace_s: float) -> None:
        """Stop taking requests, let in-flight ones finish for up to grace_s."""
        ...


@runtime_checkable
class ReadinessSource(Protocol):
    """A service whose readiness can change after start-up (a dependency it cannot work
    without went away): the runner passes a callback that sets health and readiness."""

    def watch_readiness(self, publish: Callable[[bool], None]) -> None: ...


class GrpcService(Protocol):
    """What the runner needs from a service."""

    name: str
    """Short name used in logs ("classifier")."""

    registry: CollectorRegistry
    """The service's own Prometheus registry (served on its metrics port)."""

    @property
    def service_names(self) -> Sequence[str]:
        """Full gRPC service names, for reflection and per-service health."""
        ...

    def add_to_server(self, server: grpc.aio.Server) -> None: ...

    def interceptors(self) -> list[grpc.aio.ServerInterceptor]:
        """Service-specific interceptors (e.g. authentication), inside the shared ones."""
        ...

    def side_servers(self) -> Sequence[SideServer]:
        """Servers to run beside gRPC (none for most services)."""
        ...

    async def startup(self) -> None:
        """Load models, connect clients, warm up. Health turns SERVING when this returns."""
        ...

    async def shutdown(self) -> None:
        """Release resources after the server stopped taking RPCs."""
        ...


def server_credentials(settings: ServiceSettings) -> grpc.ServerCredentials | None:
    """TLS credentials when a certificate is configured (mutual TLS with a client CA)."""
    if settings.tls_cert_file is None and settings.tls_key_file is None:
        return None
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        raise ValueError("TLS needs both tls_cert_file and tls_key_file")
    client_ca = settings.tls_client_ca_file
    return grpc.ssl_server_credentials(
        [(settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes())],
        root_certificates=client_ca.read_bytes() if client_ca else None,
        require_client_auth=client_ca is not None)


def add_runtime_collectors(registry: CollectorRegistry) -> None:
    """The process (`process_*`: CPU, memory, file descriptors, start time), platform
    (`python_info`) and garbage-collector (`python_gc_*`) series, which the global registry
    has and a service's own registry does not."""
    if registry is not REGISTRY:
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)


class ServiceRunner:
    """Starts and stops one service's gRPC server and metrics endpoint."""

    def __init__(self, service: GrpcService, settings: ServiceSettings) -> None:
        self.service = service
        self.settings = settings
        self._credentials = server_credentials(settings)
        self.health = health.aio.HealthServicer()
        self.server: grpc.aio.Server | None = None
        self.port: int = 0
        self.metrics_port: int = 0
        self._metrics_http: WSGIServer | None = None
        self.side_servers: Sequence[SideServer] = service.side_servers()
        self._stopping = False
        self._health_updates: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        s = self.settings
        options = [
            ("grpc.max_receive_message_length", s.max_message_mb * 1024 * 1024),
            ("grpc.max_send_message_length", s.max_message_mb * 1024 * 1024),
            ("grpc.so_reuseport", 0),
        ]
        rpc_metrics = RpcMetrics(self.service.registry)
        add_runtime_collectors(self.service.registry)
        server = grpc.aio.server(
            interceptors=[RpcMetricsInterceptor(rpc_metrics), TracingInterceptor(),
                          *self.service.interceptors(), ErrorMappingInterceptor()],
            options=options,
            maximum_concurrent_rpcs=s.max_concurrent_rpcs,
        )
        for name in ("", *self.service.service_names):
            await self.health.set(name, NOT_SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        self.service.add_to_server(server)
        rpc_metrics.precreate((*self.service.service_names, health.SERVICE_NAME))
        reflection.enable_server_reflection(
            (*self.service.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
        address = f"{s.host}:{s.port}"
        if self._credentials is not None:
            self.port = server.add_secure_port(address, self._credentials)
        else:
            self.port = server.add_insecure_port(address)
        if self.port == 0:
            raise RuntimeError(f"could not bind {address}")
        self._metrics_http, _ = start_http_server(
            s.metrics_port, addr=s.metrics_host, registry=self.service.registry)
        self.metrics_port = self._metrics_http.server_port
        await server.start()
        self.server = server
        for side in self.side_servers:
            await side.start()
        log.info("%s: gRPC on %s:%d, metrics on %s:%d%s; loading", self.service.name, s.host,
                 self.port, s.metrics_host, self.metrics_port,
                 "".join(f", {side.name} on :{side.port}" for side in self.side_servers))
        await self.service.startup()
        for name in ("", *self.service.service_names):
            await self.health.set(name, SERVING)
        for side in self.side_servers:
            side.serving = True
        if isinstance(self.service, ReadinessSource):
            self.service.watch_readiness(self._publish_readiness)
        log.info("%s: SERVING", self.service.name)

    def _publish_readiness(self, ready: bool) -> None:
        """Follow the service's readiness (not once draining: shutdown owns health then)."""
        if self._stopping:
            return
        for side in self.side_servers:
            side.serving = ready
        status = SERVING if ready else NOT_SERVING
        for name in ("", *self.service.service_names):
            task = asyncio.get_running_loop().create_task(self.health.set(name, status))
            self._health_updates.add(task)
            task.add_done_callback(self._health_updates.discard)

    @property
    def ready_line(self) -> str:
        """One line for scripts and tests that wait for readiness."""
        sides = "".join(f" {side.name}_port={side.port}" for side in self.side_servers)
        return (f"READY {self.service.name} port={self.port} "
                f"metrics_port={self.metrics_port}{sides}")

    async def stop(self) -> None:
        """Graceful shutdown: NOT_SERVING, drain for the grace period, release."""
        self._stopping = True
        await self.health.enter_graceful_shutdown()
        for side in self.side_servers:
            side.serving = False
        grace = self.settings.grace_period_s
        draining = [side.stop(grace) for side in self.side_servers]
        if self.server is not None:
            draining.append(self.server.stop(grace))
        await asyncio.gather(*draining)
        await self.service.shutdown()
        if self._metrics_http is not None:
            self._metrics_http.shutdown()
            self._metrics_http.server_close()
        log.info("%s: stopped", self.service.name)


async def run_until_signal(runner: ServiceRunner) -> None:
    """Run until SIGTERM/SIGINT, then shut down gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await runner.start()
        print(runner.ready_line, flush=True)
        await stop.wait()
        log.info("%s: signal received, draining for up to %.1fs", runner.service.name,
                 runner.settings.grace_period_s)
    finally:
        await runner.stop()
