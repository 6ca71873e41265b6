"""The chat core's ports implemented over gRPC (the classifier and generator services)."""

from orchestrator.adapters.classifier import GrpcClassifier
from orchestrator.adapters.generator import GrpcGenerator
from orchestrator.adapters.grpc_channel import open_channel

__all__ = ["GrpcClassifier", "GrpcGenerator", "open_channel"]
