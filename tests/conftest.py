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
