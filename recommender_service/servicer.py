"""Thin gRPC adapter over the Recommender: protobuf in and out, nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import grpc

from emotion_chat.v1 import recommender_pb2 as pb
from emotion_chat.v1 import recommender_pb2_grpc as pb_grpc
from recommender_service.catalogue import TrackRecord
from recommender_service.core import Found, Recommender


def to_track(track: TrackRecord, distance: float = 0.0) -> pb.Track:
    return pb.Track(id=track.id, title=track.title, artist=track.artist,
                    emotions=list(track.emotions), duration_s=track.duration_s,
                    licence=track.licence, mime_type=track.mime_type, distance=distance)


def _tracks(found: tuple[Found, ...]) -> list[pb.Track]:
    return [to_track(f.track, f.distance) for f in found]


class RecommenderServicer(pb_grpc.RecommenderServiceServicer):
    def __init__(self, core: Callable[[], Recommender]) -> None:
        self._core = core

    async def Recommend(self, request: pb.RecommendRequest,
                        context: grpc.aio.ServicerContext) -> pb.RecommendResponse:
        found = self._core().recommend(request.emotion, request.k, request.conversation_id,
                                       tuple(request.exclude_ids))
        return pb.RecommendResponse(tracks=_tracks(found.tracks), emotion=found.emotion)

    async def Similar(self, request: pb.SimilarRequest,
                      context: grpc.aio.ServicerContext) -> pb.SimilarResponse:
        return pb.SimilarResponse(tracks=_tracks(self._core().similar(request.track_id,
                                                                      request.k)))

    async def GetTrack(self, request: pb.GetTrackRequest,
                       context: grpc.aio.ServicerContext) -> pb.Track:
        return to_track(self._core().track(request.track_id))

    async def GetCatalogInfo(self, request: pb.GetCatalogInfoRequest,
                             context: grpc.aio.ServicerContext) -> pb.CatalogInfo:
        info = self._core().info()
        return pb.CatalogInfo(size=info.size, tracks_per_emotion=info.tracks_per_emotion,
                              index_kind=info.index_kind, index_params=info.index_params,
                              dimension=info.dimension, features=info.features,
                              built_at=info.built_at)

    async def ReadAudio(self, request: pb.ReadAudioRequest,
                        context: grpc.aio.ServicerContext) -> pb.AudioChunk:
        core = self._core()
        chunk = await asyncio.to_thread(core.read_audio, request.track_id, request.offset,
                                        request.length)
        return pb.AudioChunk(data=chunk.data, offset=chunk.offset,
                             total_size=chunk.total_size, mime_type=chunk.mime_type)
