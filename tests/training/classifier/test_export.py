"""Export round trip: tiny HF checkpoint → ONNX model dir → same logits as PyTorch."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_models import SINGLE_LABELS, build_checkpoint
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from classifier_service.model import ClassifierModel
from training.classifier.export import SAMPLE_TEXTS, export


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_checkpoint(tmp_path_factory.mktemp("ckpt") / "hf", SINGLE_LABELS, seed=3)


def pytorch_logits(checkpoint: Path, texts: list[str]) -> np.ndarray:
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint).eval()
    with torch.no_grad():
        inputs = tokenizer(texts, padding=True, truncation=True, max_length=128,
                           return_tensors="pt")
        return model(**inputs).logits.numpy()


def served_logits(model_dir: Path, texts: list[str]) -> np.ndarray:
    model = ClassifierModel.load(model_dir, device="cpu")
    return model.session.run(model.encoder.pad(model.encoder.encode(texts)))


def test_fp32_export_matches_pytorch(checkpoint: Path, tmp_path: Path) -> None:
    messages: list[str] = []
    report = export(str(checkpoint), tmp_path / "onnx", model_version="7",
                    progress=messages.append)
    assert report.max_abs_diff < 1e-4 and report.same_top_label
    assert any("max abs logit difference" in m for m in messages)
    assert messages[0].startswith("[1/3]")
    for name in ("model.onnx", "tokenizer.json", "config.json"):
        assert (tmp_path / "onnx" / name).is_file()
    config = json.loads((tmp_path / "onnx" / "config.json").read_text())
    assert config["model_version"] == "7"
    assert list(config["id2label"].values()) == list(SINGLE_LABELS)
    texts = [*SAMPLE_TEXTS, "ㅋㅋㅋ", "a" * 600]
    np.testing.assert_allclose(served_logits(tmp_path / "onnx", texts),
                               pytorch_logits(checkpoint, texts), atol=1e-4)


def test_optimized_and_int8_exports_stay_close(checkpoint: Path, tmp_path: Path) -> None:
    report = export(str(checkpoint), tmp_path / "int8", optimize=True, int8=True,
                    progress=lambda _: None)
    assert report.precision == "int8"
    assert report.max_abs_diff < 0.5
    fp32_size = (tmp_path / "int8" / "model.onnx").stat().st_size
    assert fp32_size > 0


def test_fp16_and_int8_together_are_refused(checkpoint: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        export(str(checkpoint), tmp_path / "x", fp16=True, int8=True)
