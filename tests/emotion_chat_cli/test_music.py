"""`emotion-chat music synth|index`, as a user runs them."""

import json

from emotion_chat_cli.main import main


def test_synth_then_index_a_catalogue(tmp_path, capsys) -> None:
    catalogue, index = tmp_path / "catalogue", tmp_path / "index"
    assert main(["music", "synth", "--out", str(catalogue), "--per-emotion", "1"]) == 0
    assert "7 tracks" in capsys.readouterr().out
    assert len(list((catalogue / "audio").glob("*.ogg"))) == 7
    assert main(["music", "index", str(catalogue), "--out", str(index), "--kind", "annoy"]) == 0
    out = capsys.readouterr().out
    assert "indexed 7 tracks (0 skipped)" in out and "serve recommender --index-dir" in out
    assert json.loads((index / "index.json").read_text())["kind"] == "annoy"


def test_a_folder_that_is_no_catalogue_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["music", "index", str(tmp_path), "--out", str(tmp_path / "index")]) == 2
    assert "no catalogue.csv" in capsys.readouterr().err
