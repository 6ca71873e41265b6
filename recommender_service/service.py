"""The recommender as a GrpcService: loads the index and its tracks, then serves."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import grpc
from prometheus_client import CollectorRegistry

from emotion_chat.paths import data_home
from emotion_chat.serving.service import CoreService
from emotion_chat.v1 import recommender_pb2 as pb
from emotion_chat.v1 import recommender_pb2_grpc as pb_grpc
from recommender_service.catalogue import load_catalogue
from recommender_service.core import Recommender
from recommender_service.index import load_index
from recommender_service.metrics import RecommenderMetrics
from recommender_service.servicer import RecommenderServicer
from recommender_service.settings import RecommenderSettings

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["RecommenderService"].full_name


def default_index_dir() -> Path:
    return data_home() / "music" / "index"


class RecommenderService(CoreService[Recommender]):
    name = "recommender"
    service_name = SERVICE_NAME
    starting = "the recommender is still loading its index"

    def __init__(self, settings: RecommenderSettings,
                 registry: CollectorRegistry | None = None) -> None:
        super().__init__(registry)
        self.settings = settings
        self.metrics = RecommenderMetrics(self.registry)

    def add_to_server(self, server: grpc.aio.Server) -> None:
        pb_grpc.add_RecommenderServiceServicer_to_server(
            RecommenderServicer(lambda: self.core), server)

    async def startup(self) -> None:
        directory = self.settings.index_dir or default_index_dir()
        catalogue = await asyncio.to_thread(load_catalogue, directory,
                                            self.settings.catalogue_dir)
        index = await asyncio.to_thread(load_index, directory)
        self._core = Recommender(catalogue, index, self.settings, self.metrics)
        self.metrics.tracks.set(len(catalogue.tracks))
        self.metrics.index.info({"kind": index.kind.value, "dimension": str(index.dimension),
                                 "built_at": catalogue.built_at})
        log.info("recommender: %d tracks (%s), %s index, %d dimensions, from %s",
                 len(catalogue.tracks),
                 ", ".join(f"{e} {n}" for e, n in sorted(catalogue.counts().items())),
                 index.kind.value, index.dimension, directory)

    async def shutdown(self) -> None:
        self._core = None
