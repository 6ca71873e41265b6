import re

import pytest

from evaluation.data import TableError, read_tsv
from evaluation.metrics import classification_report, detection


def test_classification_report_by_hand() -> None:
    gold = ["행복", "행복", "슬픔", "분노"]
    predicted = ["행복", "슬픔", "슬픔", "슬픔"]
    report = classification_report(gold, predicted, ("행복", "슬픔", "분노"))
    assert report.accuracy == 0.5
    by = {c.label: c for c in report.classes}
    assert (by["행복"].precision, by["행복"].recall) == (1.0, 0.5)
    assert (by["슬픔"].precision, by["슬픔"].recall) == (1 / 3, 1.0)
    assert by["분노"].f1 == 0.0
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.5 + 0.0) / 3)
    assert report.confusion["분노"]["슬픔"] == 1


def test_detection_rates() -> None:
    d = detection([True, True, False, False, False], [True, False, True, False, False])
    assert (d.recall, d.false_positive_rate, d.precision) == (0.5, 1 / 3, 0.5)


@pytest.mark.parametrize(("content", "message"), [
    ("text\tlabel\n", "no rows"),
    ("words\tlabel\n가\t행복\n", "missing column(s) text"),
    ("text\tlabel\n가\t\n", "line 2: empty label"),
])
def test_unusable_tables_say_what_is_wrong(tmp_path, content, message) -> None:
    path = tmp_path / "t.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError, match=re.escape(message)):
        read_tsv(path, ("text", "label"))
    with pytest.raises(TableError, match="no such file"):
        read_tsv(tmp_path / "missing.tsv", ("text",))
