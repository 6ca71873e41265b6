"""The Inside Out demo model's recipe end to end (one epoch: the recipe, not the accuracy)."""

import json

from classifier_service.model import ClassifierModel
from emotion_chat.taxonomy import INSIDE_OUT_LABELS
from training.demo.inside_out import DATASET, build
from training.tables import read_multilabel_table


def test_the_dataset_is_multi_label_over_the_four_emotions() -> None:
    table, _ = read_multilabel_table(DATASET)
    assert set(table.names) == set(INSIDE_OUT_LABELS) and len(table.data) >= 600
    sizes = [len(s) for s in table.label_sets()]
    assert sizes.count(1) > 300 and sizes.count(2) > 100


def test_build_exports_a_served_multi_label_model(tmp_path, capsys) -> None:
    out = tmp_path / "inside-out"
    summary = build(out, progress=False, epochs=1)
    assert "micro F1" in capsys.readouterr().out
    config = json.loads((out / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    assert set(config["label_thresholds"]) == set(INSIDE_OUT_LABELS)
    assert {s["label"] for s in summary["test"]["labels"]} == set(INSIDE_OUT_LABELS)
    model = ClassifierModel.load(out, device="cpu")
    assert model.label_space.multi_label and len(model.label_space.labels) == 4
    assert not (tmp_path / "inside-out.building").exists()
