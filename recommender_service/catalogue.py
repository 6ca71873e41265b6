"""The tracks the index knows, in the index's row order, and where their audio is.

An index folder (written by `emotion-chat music index`, see music/build.py) holds the vector
index (index.py) and `tracks.json`: when and how it was built, the catalogue folder it was
built from, and per track its id, title, artist, emotion tags (core emotions), audio file
(relative to the catalogue folder), duration and licence.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emotion_chat.taxonomy import known_core_emotion

TRACKS_FILE = "tracks.json"
MIME_TYPES = {".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
              ".flac": "audio/flac", ".mp3": "audio/mpeg", ".wav": "audio/wav",
              ".m4a": "audio/mp4"}


@dataclass(frozen=True, slots=True)
class TrackRecord:
    id: str
    title: str
    artist: str
    emotions: tuple[str, ...]
    """Core emotions (a catalogue's own tags, e.g. the music-recommendation chatbot's 공포,
    mapped through the shared taxonomy)."""
    file: str
    """Relative to the catalogue folder."""
    duration_s: float
    licence: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES.get(Path(self.file).suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class Catalogue:
    tracks: tuple[TrackRecord, ...]
    directory: Path
    """The catalogue folder the audio files are in."""
    built_at: str
    features: str
    rows: dict[str, int] = field(init=False, repr=False, compare=False)
    """Track id → row in the index."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", {t.id: i for i, t in enumerate(self.tracks)})

    def row(self, track_id: str) -> int | None:
        return self.rows.get(track_id)

    def by_emotion(self) -> dict[str, tuple[int, ...]]:
        """Row numbers per core emotion."""
        rows: dict[str, list[int]] = {}
        for i, track in enumerate(self.tracks):
            for emotion in track.emotions:
                rows.setdefault(emotion, []).append(i)
        return {emotion: tuple(found) for emotion, found in rows.items()}

    def counts(self) -> Counter[str]:
        return Counter(e for t in self.tracks for e in t.emotions)

    def audio_path(self, track: TrackRecord) -> Path:
        """The track's file, which must lie inside the catalogue folder."""
        base = self.directory.resolve()
        path = (base / track.file).resolve()
        if base not in path.parents:
            raise ValueError(f"track {track.id}: its file {track.file!r} is outside the "
                             "catalogue folder")
        return path


def core_tags(tags: list[str], where: str) -> tuple[str, ...]:
    """A catalogue's emotion tags as core emotions; ValueError for an unknown tag."""
    found: list[str] = []
    for tag in tags:
        core = known_core_emotion(tag)
        if core is None:
            raise ValueError(f"{where}: unknown emotion tag {tag!r}")
        if core not in found:
            found.append(core)
    if not found:
        raise ValueError(f"{where}: no emotion tag")
    return tuple(found)


def load_catalogue(index_dir: Path, catalogue_dir: Path | None = None) -> Catalogue:
    path = index_dir / TRACKS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{index_dir}: no {TRACKS_FILE}; build one with "
                         "`emotion-chat music index CATALOGUE --out DIR`")
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    tracks = []
    for i, item in enumerate(raw["tracks"]):
        where = f"{path}: tracks[{i}]"
        tracks.append(TrackRecord(str(item["id"]), str(item["title"]), str(item["artist"]),
                                  core_tags(list(item["emotions"]), where), str(item["file"]),
                                  float(item["duration_s"]), str(item.get("licence", ""))))
    return Catalogue(tuple(tracks), catalogue_dir or Path(raw["catalogue"]),
                     str(raw.get("built_at", "")), str(raw.get("features", "")))
