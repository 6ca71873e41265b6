"""Model directories appear whole or not at all."""

import pytest

from training.staging import staged


def test_a_finished_directory_replaces_the_old_one(tmp_path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "old.bin").write_text("old")
    with staged(out) as tmp:
        assert tmp.parent == tmp_path and tmp != out
        (tmp / "model.onnx").write_text("new")
        assert (out / "old.bin").exists()  # still the old one until the end
    assert sorted(p.name for p in out.iterdir()) == ["model.onnx"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_a_failed_run_leaves_the_old_directory_and_no_leftovers(tmp_path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "old.bin").write_text("old")
    with pytest.raises(KeyboardInterrupt), staged(out) as tmp:
        (tmp / "half.bin").write_text("half")
        raise KeyboardInterrupt
    assert [p.name for p in out.iterdir()] == ["old.bin"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
