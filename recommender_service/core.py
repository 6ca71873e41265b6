"""What the recommender does, transport-free: songs for an emotion, songs like a song, a
track, the catalogue's description and a byte range of a track's audio.

Recommendations are varied: a random sample of the emotion's tracks, never one a request
excludes, and (per conversation) none already given until that emotion's tracks are used
up; then the round starts again. Conversations are remembered least-recently-used first up
to a limit, so memory stays bounded; callers that keep their own history (the orchestrator)
pass it as exclude_ids, which works across replicas.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass

from emotion_chat.errors import InvalidInputError, NotFoundError
from emotion_chat.taxonomy import CORE_LABELS, known_core_emotion
from recommender_service.catalogue import Catalogue, TrackRecord
from recommender_service.index import VectorIndex
from recommender_service.metrics import RecommenderMetrics
from recommender_service.settings import RecommenderSettings


@dataclass(frozen=True, slots=True)
class Found:
    track: TrackRecord
    distance: float = 0.0


@dataclass(frozen=True, slots=True)
class Recommendation:
    emotion: str
    tracks: tuple[Found, ...]


@dataclass(frozen=True, slots=True)
class AudioRange:
    data: bytes
    offset: int
    total_size: int
    mime_type: str


@dataclass(frozen=True, slots=True)
class CatalogueInfo:
    size: int
    tracks_per_emotion: dict[str, int]
    index_kind: str
    index_params: dict[str, str]
    dimension: int
    features: str
    built_at: str


class Recommender:
    def __init__(self, catalogue: Catalogue, index: VectorIndex,
                 settings: RecommenderSettings, metrics: RecommenderMetrics,
                 rng: random.Random | None = None) -> None:
        if index.count != len(catalogue.tracks):
            raise ValueError(f"the index has {index.count} vectors for "
                             f"{len(catalogue.tracks)} tracks")
        self.catalogue = catalogue
        self.index = index
        self.settings = settings
        self.metrics = metrics
        self._pools = catalogue.by_emotion()
        self._given: OrderedDict[tuple[str, str], set[int]] = OrderedDict()
        self._rng = rng or random.Random()

    def _k(self, k: int) -> int:
        if k < 0:
            raise InvalidInputError("k must not be negative")
        if k > self.settings.max_k:
            raise InvalidInputError(f"k must be at most {self.settings.max_k}")
        return k or self.settings.default_k

    def _row(self, track_id: str) -> int:
        row = self.catalogue.row(track_id)
        if row is None:
            raise NotFoundError(f"no track {track_id!r} in the catalogue")
        return row

    def _remembered(self, conversation_id: str, emotion: str) -> set[int]:
        if not conversation_id or self.settings.remembered_conversations == 0:
            return set()
        key = (conversation_id, emotion)
        given = self._given.pop(key, set())
        self._given[key] = given  # most recently used last
        while len(self._given) > self.settings.remembered_conversations:
            self._given.popitem(last=False)
        return given

    def recommend(self, emotion: str, k: int = 0, conversation_id: str = "",
                  exclude_ids: tuple[str, ...] = ()) -> Recommendation:
        core = known_core_emotion(emotion)
        if core is None:
            raise InvalidInputError(f"unknown emotion {emotion!r}: use a label of the "
                                    f"project's label sets, e.g. {', '.join(CORE_LABELS)}")
        k = self._k(k)
        pool = self._pools.get(core, ())
        excluded = {r for r in map(self.catalogue.row, exclude_ids) if r is not None}
        given = self._remembered(conversation_id, core)
        fresh = [r for r in pool if r not in given and r not in excluded]
        if len(fresh) < k:  # the emotion's tracks are used up: a new round
            given.clear()
            fresh = [r for r in pool if r not in excluded] or list(pool)
        chosen = self._rng.sample(fresh, min(k, len(fresh)))
        given.update(chosen)
        self.metrics.recommendations.labels(core).inc()
        return Recommendation(core, tuple(Found(self.catalogue.tracks[r]) for r in chosen))

    def similar(self, track_id: str, k: int = 0) -> tuple[Found, ...]:
        rows, distances = self.index.query_row(self._row(track_id), self._k(k))
        return tuple(Found(self.catalogue.tracks[r], d) for r, d in zip(rows, distances,
                                                                          strict=True))

    def track(self, track_id: str) -> TrackRecord:
        return self.catalogue.tracks[self._row(track_id)]

    def info(self) -> CatalogueInfo:
        return CatalogueInfo(
            size=len(self.catalogue.tracks), tracks_per_emotion=dict(self.catalogue.counts()),
            index_kind=self.index.kind.value,
            index_params={k: str(v) for k, v in self.index.params.items()},
            dimension=self.index.dimension, features=self.catalogue.features,
            built_at=self.catalogue.built_at)

    def read_audio(self, track_id: str, offset: int, length: int) -> AudioRange:
        """Up to `length` bytes (the chunk limit when 0 or larger) from `offset`. Blocking
        file I/O: call it off the event loop."""
        track = self.track(track_id)
        path = self.catalogue.audio_path(track)
        try:
            total = path.stat().st_size
        except FileNotFoundError as exc:
            raise NotFoundError(f"track {track_id!r}: its audio file is missing") from exc
        if offset > total:
            raise InvalidInputError(f"offset {offset} is past the end of the audio "
                                    f"({total} bytes)")
        limit = self.settings.audio_chunk_bytes
        wanted = min(length or limit, limit)
        with path.open("rb") as f:
            f.seek(offset)
            data = f.read(wanted)
        self.metrics.audio_bytes.inc(len(data))
        return AudioRange(data, offset, total, track.mime_type)
