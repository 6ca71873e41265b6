"""The chat core's ports implemented over gRPC (the classifier, generator and recommender
services)."""

from orchestrator.adapters.classifier import GrpcClassifier
from orchestrator.adapters.generator import GrpcGenerator
from orchestrator.adapters.grpc_channel import open_channel
from orchestrator.adapters.recommender import GrpcRecommender

__all__ = ["GrpcClassifier", "GrpcGenerator", "GrpcRecommender", "open_channel"]
