"""`emotion-chat music index`: features, skipped files, the built index and what it finds."""

import csv
import shutil

import pytest

from music.build import build, read_catalogue
from recommender_service.catalogue import load_catalogue
from recommender_service.index import load_index


def test_neighbours_share_the_emotion_far_more_often_than_chance(music_index_dir) -> None:
    catalogue, index = load_catalogue(music_index_dir), load_index(music_index_dir)
    agree = total = 0
    for row, track in enumerate(catalogue.tracks):
        rows, distances = index.query_row(row, 5)
        assert row not in rows and distances == sorted(distances)
        agree += sum(catalogue.tracks[r].emotions[0] == track.emotions[0] for r in rows)
        total += len(rows)
    # 7 emotions with 4 tracks each: a random neighbour shares the emotion 3/27 of the time
    assert agree / total >= 0.5, agree / total


def test_unreadable_and_too_short_files_are_reported_and_skipped(music_catalogue_dir,
                                                                 tmp_path) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(music_catalogue_dir, catalogue)
    rows = read_catalogue(catalogue)
    (catalogue / rows[0]["file"]).write_bytes(b"not audio at all")
    import soundfile

    soundfile.write(catalogue / "audio" / "short.ogg", [0.0] * 22050, 22050, subtype="VORBIS")
    rows.append({**rows[1], "track_id": "short-001", "file": "audio/short.ogg"})
    rows.append({**rows[2], "track_id": "odd-001", "emotions": "몽글몽글"})
    with (catalogue / "catalogue.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    built = build(catalogue, tmp_path / "index")
    reasons = {s.track_id: s.reason for s in built.skipped}
    assert reasons[rows[0]["track_id"]].startswith("unreadable")
    assert reasons["short-001"].startswith("too short")
    assert "unknown emotion tag '몽글몽글'" in reasons["odd-001"]
    assert built.tracks == len(rows) - 3
    assert len(load_catalogue(built.directory).tracks) == built.tracks


def test_a_catalogue_without_its_table_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"no catalogue\.csv"):
        build(tmp_path, tmp_path / "index")
