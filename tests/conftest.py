from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "support"))

from tiny_models import INSIDE_OUT_LABELS, SINGLE_LABELS, build_onnx


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny 7-label single-label classifier exported to ONNX."""
    return build_onnx(tmp_path_factory.mktemp("tiny-single"), SINGLE_LABELS)


@pytest.fixture(scope="session")
def inside_out_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Inside Out 4-emotion multi-label classifier with per-label thresholds."""
    return build_onnx(tmp_path_factory.mktemp("tiny-multi"), INSIDE_OUT_LABELS, multi_label=True)


@pytest.fixture(scope="session")
def tiny_kogpt2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight GPT-2 checkpoint in KoGPT2 format."""
    from tiny_models import build_tiny_kogpt2

    return build_tiny_kogpt2(tmp_path_factory.mktemp("kogpt2") / "ckpt")


@pytest.fixture(scope="session")
def angry_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny 7-label classifier that finds 분노 in every text (score about 0.99)."""
    return build_onnx(tmp_path_factory.mktemp("tiny-angry"), SINGLE_LABELS, favour="분노")


@pytest.fixture(scope="session")
def music_catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthesised catalogue: 4 tracks per core emotion, 8 seconds each."""
    from music.synth import write_catalogue

    out = tmp_path_factory.mktemp("music") / "catalogue"
    write_catalogue(out, per_emotion=4, seconds=8.0)
    return out


@pytest.fixture(scope="session")
def music_index_dir(music_catalogue_dir: Path) -> Path:
    """That catalogue's HNSW index (what the recommender serves)."""
    from music.build import build

    return build(music_catalogue_dir, music_catalogue_dir.parent / "index").directory
