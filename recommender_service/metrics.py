"""Recommender metrics (per-RPC latency comes from the shared RPC-metrics interceptor)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Info

from emotion_chat.taxonomy import CORE_LABELS


class RecommenderMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.tracks = Gauge("recommender_catalogue_tracks",
                            "Tracks in the loaded catalogue.", registry=registry)
        self.recommendations = Counter(
            "recommender_recommendations", "Recommend answers, by core emotion.", ["emotion"],
            registry=registry)
        self.audio_bytes = Counter("recommender_audio_bytes",
                                   "Audio bytes served by ReadAudio.", registry=registry)
        self.index = Info("recommender_index", "The loaded index: kind, dimension, build.",
                          registry=registry)
        for emotion in CORE_LABELS:  # zero series before the first answer
            self.recommendations.labels(emotion)
