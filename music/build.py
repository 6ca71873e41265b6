"""Build a recommender index from a catalogue folder (`emotion-chat music index`).

A catalogue is a folder of audio files plus `catalogue.csv` (track_id, title, artist,
emotions (`|`-separated tags from any of the project's label sets), file (relative to the
folder), licence, optional duration_s). Each track's first 30 seconds become one vector
(features.py); unreadable or too-short files are reported and skipped. The vectors are
standardised, indexed (recommender_service/index.py) and written with `tracks.json`, which is
all the recommender loads: the serving path never imports librosa.

    python -m music.build --default    # synthesise the embedded catalogue if needed, index it
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from music.features import N_MFCC, SAMPLE_RATE, SECONDS, Standardiser, load_clip, mfcc_summary
from recommender_service.catalogue import TRACKS_FILE, core_tags
from recommender_service.index import IndexKind, build_index

CATALOGUE_FILE = "catalogue.csv"
MIN_SECONDS = 5.0
FEATURES = (f"MFCC ({N_MFCC} coefficients) of the first {SECONDS:.0f} s at {SAMPLE_RATE} Hz: "
            "mean and standard deviation per coefficient, standardised per dimension")
REQUIRED = ("track_id", "title", "artist", "emotions", "file")


@dataclass(frozen=True)
class Skipped:
    track_id: str
    reason: str


@dataclass(frozen=True)
class Built:
    directory: Path
    tracks: int
    skipped: tuple[Skipped, ...]
    seconds: float


def read_catalogue(directory: Path) -> list[dict[str, str]]:
    path = directory / CATALOGUE_FILE
    if not path.is_file():
        raise ValueError(f"{directory}: no {CATALOGUE_FILE} (columns: {', '.join(REQUIRED)}, "
                         "licence, duration_s)")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    ids = [r["track_id"] for r in rows]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"{path}: duplicated track ids {duplicated[:5]}")
    if not rows:
        raise ValueError(f"{path}: no tracks")
    return rows


def build(catalogue_dir: Path, out_dir: Path, kind: IndexKind = IndexKind.HNSW,
          progress: Callable[[int, int], None] | None = None,
          **params: Any) -> Built:
    started = time.monotonic()
    rows = read_catalogue(catalogue_dir)
    vectors, tracks, skipped = [], [], []
    for i, row in enumerate(rows, start=1):
        where = f"{catalogue_dir / CATALOGUE_FILE}: {row['track_id']}"
        try:
            emotions = core_tags([t for t in row["emotions"].split("|") if t.strip()], where)
            clip = load_clip(str(catalogue_dir / row["file"]))
        except ValueError as exc:
            skipped.append(Skipped(row["track_id"], str(exc)))
            continue
        except Exception as exc:  # any decoder error: report the file and skip it
            skipped.append(Skipped(row["track_id"], f"unreadable: {exc.__class__.__name__}: "
                                                    f"{exc}"))
            continue
        finally:
            if progress is not None:
                progress(i, len(rows))
        duration = len(clip) / SAMPLE_RATE
        if duration < MIN_SECONDS:
            skipped.append(Skipped(row["track_id"], f"too short ({duration:.1f} s < "
                                                    f"{MIN_SECONDS:.0f} s)"))
            continue
        vectors.append(mfcc_summary(clip))
        tracks.append({"id": row["track_id"], "title": row["title"], "artist": row["artist"],
                       "emotions": list(emotions), "file": row["file"],
                       "licence": row.get("licence", ""),
                       "duration_s": float(row.get("duration_s") or duration)})
    if len(tracks) < 2:
        raise ValueError(f"{catalogue_dir}: fewer than two usable tracks")
    matrix = np.stack(vectors)
    standardiser = Standardiser.fit(matrix)
    staging = out_dir.with_name(out_dir.name + ".building")
    if staging.exists():
        import shutil

        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    build_index(kind, standardiser.apply(matrix), **params).save(staging)
    np.savez(staging / "standardiser.npz", mean=standardiser.mean, scale=standardiser.scale)
    (staging / TRACKS_FILE).write_text(json.dumps({
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "features": FEATURES, "catalogue": str(catalogue_dir.resolve()), "tracks": tracks,
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    if out_dir.exists():
        import shutil

        shutil.rmtree(out_dir)
    staging.rename(out_dir)
    return Built(out_dir, len(tracks), tuple(skipped), time.monotonic() - started)


def default_dirs(home: Path | None = None) -> tuple[Path, Path]:
    """The embedded catalogue and its index: under `home`, else the data home's music/."""
    from emotion_chat.paths import data_home

    root = home or data_home() / "music"
    return root / "catalogue", root / "index"


def is_built(index_dir: Path) -> bool:
    return (index_dir / TRACKS_FILE).is_file() and (index_dir / "index.json").is_file()


def ensure_default(quiet: bool = False, home: Path | None = None) -> Path:
    """The embedded catalogue's index, synthesising and indexing it on first use."""
    from music.synth import write_catalogue

    catalogue, index = default_dirs(home)
    if is_built(index):
        return index
    if not (catalogue / CATALOGUE_FILE).is_file():
        if not quiet:
            print(f"synthesising the embedded music catalogue in {catalogue} (once)...",
                  flush=True)
        write_catalogue(catalogue)
    if not quiet:
        print(f"indexing it in {index}...", flush=True)
    built = build(catalogue, index)
    for s in built.skipped:
        print(f"skipped {s.track_id}: {s.reason}", file=sys.stderr)
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--default", action="store_true",
                        help="the embedded catalogue in the data home (built on first use)")
    parser.add_argument("--home", type=Path, default=None,
                        help="build it here (catalogue/ and index/) instead of the data home")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.default:
        path = ensure_default(args.quiet, args.home)
        if not args.quiet:
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
