"""`emotion-chat train` on a tiny base checkpoint, end to end (train → export → serve)."""

import json
from pathlib import Path

from tiny_models import SINGLE_LABELS, build_checkpoint

from classifier_service.demo import DATASET
from classifier_service.model import ClassifierModel
from classifier_service.training.export import export
from emotion_chat_cli.main import main


def test_train_then_export_then_load(tmp_path: Path, capsys) -> None:
    base = build_checkpoint(tmp_path / "base", SINGLE_LABELS[:2])  # head gets resized to 7
    out = tmp_path / "tuned"
    assert main(["train", "--data", str(DATASET), "--base", str(base), "--out", str(out),
                 "--epochs", "2", "--batch-size", "64", "--lr", "1e-3", "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and "macro f1" in printed
    report = json.loads((out / "training_report.json").read_text())
    assert report["split"]["train"] > 3 * report["split"]["test"] / 2
    assert report["config"]["learning_rate"] == 1e-3
    assert len(report["test"]["classes"]) == 7
    export(str(out), tmp_path / "onnx", progress=lambda _: None)
    model = ClassifierModel.load(tmp_path / "onnx", device="cpu")
    assert sorted(model.label_space.labels) == sorted(SINGLE_LABELS)
