"""The recommender port over gRPC (`emotion_chat.v1.RecommenderService`)."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from emotion_chat.errors import NotFoundError
from emotion_chat.serving.tracing import outgoing_metadata
from emotion_chat.v1 import recommender_pb2 as pb
from emotion_chat.v1 import recommender_pb2_grpc as pb_grpc
from orchestrator.adapters.grpc_channel import timeout_for, upstream_error
from orchestrator.core.ports import AudioRange
from orchestrator.core.types import Track


def from_track(track: pb.Track) -> Track:
    return Track(track.id, track.title, track.artist, tuple(track.emotions), track.duration_s,
                 track.mime_type, track.licence, track.distance)


class GrpcRecommender:
    SERVICE = "emotion_chat.v1.RecommenderService"

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float,
                 audio_timeout_s: float = 10.0) -> None:
        self._stub = pb_grpc.RecommenderServiceStub(channel)
        self._timeout_s = timeout_s
        # Audio is read for a player, not within a turn: the turn's short budget for songs
        # does not apply to it (a busy machine took more than 0.5 s for a 1 MB range).
        self._audio_timeout_s = audio_timeout_s

    async def _call(self, method: str, request: object, deadline: float | None,
                    timeout_s: float | None = None) -> object:
        try:
            return await getattr(self._stub, method)(
                request, timeout=timeout_for(timeout_s or self._timeout_s, deadline),
                metadata=outgoing_metadata())
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                raise NotFoundError(exc.details() or "not found") from exc
            raise upstream_error("the recommender", exc) from exc

    async def recommend(self, emotion: str, k: int, conversation_id: str,
                        exclude_ids: Sequence[str], deadline: float | None = None
                        ) -> tuple[Track, ...]:
        response = await self._call("Recommend", pb.RecommendRequest(
            emotion=emotion, k=k, conversation_id=conversation_id,
            exclude_ids=list(exclude_ids)), deadline)
        assert isinstance(response, pb.RecommendResponse)
        return tuple(from_track(t) for t in response.tracks)

    async def similar(self, track_id: str, k: int, deadline: float | None = None
                      ) -> tuple[Track, ...]:
        response = await self._call("Similar", pb.SimilarRequest(track_id=track_id, k=k),
                                    deadline)
        assert isinstance(response, pb.SimilarResponse)
        return tuple(from_track(t) for t in response.tracks)

    async def read_audio(self, track_id: str, offset: int, length: int,
                         deadline: float | None = None) -> AudioRange:
        chunk = await self._call("ReadAudio", pb.ReadAudioRequest(
            track_id=track_id, offset=offset, length=length), deadline, self._audio_timeout_s)
        assert isinstance(chunk, pb.AudioChunk)
        return AudioRange(chunk.data, chunk.offset, chunk.total_size, chunk.mime_type)
