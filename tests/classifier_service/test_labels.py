import numpy as np
import pytest

from classifier_service.labels import LabelSpace, ProblemType


def config(**extra):
    return {"id2label": {"0": "행복", "1": "슬픔", "2": "분노"}, **extra}


def test_single_label_softmax_sums_to_one_and_marks_the_argmax() -> None:
    space = LabelSpace.from_config(config())
    assert space.problem_type is ProblemType.SINGLE_LABEL
    scores = space.scores(np.array([[1.0, 3.0, -2.0]]))
    assert scores.sum() == pytest.approx(1.0, abs=1e-6)
    assert space.active(scores[0]).tolist() == [False, True, False]


def test_multi_label_sigmoid_with_per_label_thresholds() -> None:
    space = LabelSpace.from_config(config(
        problem_type="multi_label_classification", label_thresholds={"슬픔": 0.9}),
        default_threshold=0.5)
    assert space.thresholds == (0.5, 0.9, 0.5)
    scores = space.scores(np.array([[0.5, 1.0, -1.0]]))[0]
    np.testing.assert_allclose(scores, 1 / (1 + np.exp(-np.array([0.5, 1.0, -1.0]))), rtol=1e-6)
    # 0.62 ≥ 0.5 active; 0.73 < 0.9 inactive; 0.27 inactive
    assert space.active(scores).tolist() == [True, False, False]


def test_labels_follow_numeric_id_order() -> None:
    ids = {str(i): f"l{i}" for i in range(12)}
    assert LabelSpace.from_config({"id2label": ids}).labels[:3] == ("l0", "l1", "l2")
    assert LabelSpace.from_config({"id2label": ids}).labels[-1] == "l11"


@pytest.mark.parametrize("bad", [
    {},
    {"id2label": {"0": "a"}, "problem_type": "regression"},
    {"id2label": {"0": "a"}, "label_thresholds": {"b": 0.5}},
    {"id2label": {"0": "a"}, "label_thresholds": [0.5, 0.5]},
])
def test_inconsistent_configs_are_refused(bad) -> None:
    with pytest.raises(ValueError):
        LabelSpace.from_config(bad)


def test_calibration_temperature_softens_scores() -> None:
    raw = LabelSpace.from_config(config())
    calibrated = LabelSpace.from_config(config(calibration_temperature=4.0))
    logits = np.array([[4.0, 0.0, -4.0]])
    assert calibrated.scores(logits).max() < raw.scores(logits).max()
    assert calibrated.scores(logits).argmax() == raw.scores(logits).argmax()
    with pytest.raises(ValueError, match="calibration_temperature"):
        LabelSpace.from_config(config(calibration_temperature=0))
