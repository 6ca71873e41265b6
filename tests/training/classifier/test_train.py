"""`emotion-chat train` on a tiny base checkpoint, end to end (train → export → serve)."""

import json
from pathlib import Path

from tiny_models import SINGLE_LABELS, build_checkpoint

from classifier_service.model import ClassifierModel
from emotion_chat_cli.main import main
from training.classifier.export import export
from training.demo import DATASET


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


def test_multi_label_train_tunes_a_threshold_per_label_and_serves(tmp_path: Path,
                                                                   capsys) -> None:
    from tiny_models import INSIDE_OUT_LABELS

    from training.demo.inside_out import DATASET as INSIDE_OUT

    rows = INSIDE_OUT.read_text(encoding="utf-8").splitlines()
    table = tmp_path / "inside_out.tsv"
    table.write_text("\n".join(rows[:241]) + "\n", encoding="utf-8")
    base = build_checkpoint(tmp_path / "base", SINGLE_LABELS[:2])
    out = tmp_path / "tuned"
    assert main(["train", "--data", str(table), "--base", str(base), "--out", str(out),
                 "--problem-type", "multi_label", "--label-column", "labels",
                 "--epochs", "1", "--batch-size", "32", "--lr", "1e-3",
                 "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "(multi-label)" in printed and "micro F1" in printed and "exact match" in printed
    config = json.loads((out / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    assert set(config["label_thresholds"]) == set(INSIDE_OUT_LABELS)
    report = json.loads((out / "training_report.json").read_text())
    assert {s["label"] for s in report["test"]["labels"]} == set(INSIDE_OUT_LABELS)
    export(str(out), tmp_path / "onnx", progress=lambda _: None)
    model = ClassifierModel.load(tmp_path / "onnx", device="cpu")
    assert model.label_space.multi_label
    assert model.label_space.thresholds == tuple(config["label_thresholds"][label]
                                                 for label in model.label_space.labels)


def test_a_bad_multi_label_table_is_one_clear_error(tmp_path: Path, capsys) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("sentence,분노,기쁨\n화나,1,maybe\n", encoding="utf-8")
    assert main(["train", "--data", str(table), "--base", "unused", "--out",
                 str(tmp_path / "o"), "--problem-type", "multi_label",
                 "--label-columns", "분노,기쁨"]) == 2
    assert "row 2: 기쁨='maybe' is not 0/1" in capsys.readouterr().err
