"""Shared gRPC server bootstrap: health, reflection, metrics, error mapping, graceful shutdown."""

from emotion_chat.serving.runner import GrpcService, ServiceRunner, SideServer, run_until_signal

__all__ = ["GrpcService", "ServiceRunner", "SideServer", "run_until_signal"]
