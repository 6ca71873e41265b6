import numpy as np
import pytest

from training.classifier.multilabel import multi_hot, report, tune_thresholds
from training.tables import read_multilabel_table


def test_thresholds_are_tuned_per_label_and_reported() -> None:
    names = ["분노", "기쁨"]
    truth = multi_hot([frozenset({"분노"}), frozenset({"기쁨"}), frozenset({"분노", "기쁨"}),
                       frozenset({"기쁨"})], names)
    # 분노 is separable at 0.3 (its positives score 0.35 and 0.4), 기쁨 at 0.7
    probabilities = np.array([[0.35, 0.1], [0.1, 0.8], [0.4, 0.75], [0.2, 0.9]],
                             dtype=np.float32)
    thresholds = tune_thresholds(probabilities, truth, names)
    assert 0.2 < thresholds["분노"] <= 0.35 and 0.1 < thresholds["기쁨"] <= 0.75
    scores = report(probabilities, truth, names, thresholds)
    assert scores.micro_f1 == 1.0 and scores.exact_match == 1.0
    assert [s.support for s in scores.labels] == [2, 3]
    assert "micro F1 1.000" in scores.table()


def test_multi_label_tables_in_both_shapes(tmp_path) -> None:
    joined = tmp_path / "joined.tsv"
    joined.write_text("sentence\tlabels\n좋은데 무서워\t기쁨|불안\n화나\t분노\n\t분노\n"
                      "화나\t슬픔\n", encoding="utf-8")
    table, cleaning = read_multilabel_table(joined)
    assert table.names == ["기쁨", "불안", "분노"]
    assert table.label_sets() == [frozenset({"기쁨", "불안"}), frozenset({"분노"})]
    assert (cleaning.dropped_missing, cleaning.dropped_duplicates) == (1, 1)
    columns = tmp_path / "columns.csv"
    columns.write_text("sentence,분노,기쁨\n화나는데 웃기다,1,1\n그냥 그래,0,0\n", encoding="utf-8")
    table, cleaning = read_multilabel_table(columns, label_columns=["분노", "기쁨"])
    assert table.data.labels == ["기쁨|분노"] and cleaning.dropped_missing == 1
    with pytest.raises(ValueError, match="lacks the column"):
        read_multilabel_table(columns, label_columns=["슬픔"])
