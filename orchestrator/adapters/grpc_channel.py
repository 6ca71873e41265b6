"""gRPC channels to the classifier and the generator.

Channels use round_robin load balancing (with a `dns:///` target every pod behind a headless
Kubernetes Service gets calls; HTTP/2 connections are long-lived, so kube-proxy alone would
pin all traffic to one pod) and retry UNAVAILABLE through the gRPC service config. Every call
has a per-stage deadline, capped by what is left of the turn's own deadline, and carries the
turn's W3C trace context in its metadata when there is one (`outgoing_metadata`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import grpc

from emotion_chat.errors import UpstreamError
from emotion_chat.serving.status import error_code

MIN_TIMEOUT_S = 0.001


def service_config(services: Sequence[str], attempts: int) -> str:
    policy: dict[str, object] = {"name": [{"service": s} for s in services]}
    if attempts > 1:
        policy["retryPolicy"] = {
            "maxAttempts": attempts, "initialBackoff": "0.05s", "maxBackoff": "0.5s",
            "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
    config: dict[str, object] = {"loadBalancingConfig": [{"round_robin": {}}],
                                 "methodConfig": [policy]}
    if services:
        # Client-side health checking: a backend is used only while its grpc.health.v1
        # status is SERVING, so a restarted one gets no calls while it is still loading
        # (they would wait on it) and every call goes elsewhere or fails fast meanwhile.
        config["healthCheckConfig"] = {"serviceName": services[0]}
    return json.dumps(config)


def open_channel(target: str, services: Sequence[str], attempts: int, tls: bool,
                 ca_file: Path | None, reconnect_backoff_ms: int = 500) -> grpc.aio.Channel:
    """A channel that comes back fast: gRPC's default reconnect back-off grows to 120 s
    (1 s × 1.6ⁿ), so a dependency restarted after a few seconds would only be tried again
    seconds after it is up; capped at `reconnect_backoff_ms` (from 100 ms), it is tried at
    least that often, and turns stop degrading within that time of it SERVING."""
    options = [("grpc.service_config", service_config(services, attempts)),
               ("grpc.enable_retries", 1),
               ("grpc.keepalive_time_ms", 30_000),
               ("grpc.initial_reconnect_backoff_ms", min(100, reconnect_backoff_ms)),
               ("grpc.min_reconnect_backoff_ms", min(100, reconnect_backoff_ms)),
               ("grpc.max_reconnect_backoff_ms", reconnect_backoff_ms),
               ("grpc.max_receive_message_length", 16 * 1024 * 1024)]
    if tls:
        roots = ca_file.read_bytes() if ca_file is not None else None
        return grpc.aio.secure_channel(target, grpc.ssl_channel_credentials(roots), options)
    return grpc.aio.insecure_channel(target, options)


def timeout_for(stage_timeout: float, deadline: float | None) -> float:
    if deadline is None:
        return stage_timeout
    return max(MIN_TIMEOUT_S, min(stage_timeout, deadline - time.monotonic()))


def upstream_error(service: str, exc: grpc.aio.AioRpcError) -> UpstreamError:
    """A failed downstream call in domain terms, naming the service and the status."""
    return UpstreamError(f"{service} failed: {exc.code().name} {exc.details() or ''}".strip(),
                         error_code(exc.code()))
