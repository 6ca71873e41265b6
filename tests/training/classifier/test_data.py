from pathlib import Path

import pytest

from training.tables import LabelledData, read_table, split


def test_tsv_cleaning_drops_missing_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "d.tsv"
    path.write_text("sentence\tlabel\n좋아\t기쁨\n\t기쁨\n싫어\t\n좋아\t기쁨\n슬퍼\t슬픔\n슬퍼\t기쁨\n"
                    "뭐지\tnan\n", encoding="utf-8")
    data, report = read_table(path)
    assert data.texts == ["좋아", "슬퍼"]
    assert data.labels == ["기쁨", "슬픔"]
    assert (report.rows, report.dropped_missing, report.dropped_duplicates) == (7, 3, 2)


def test_csv_with_named_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('id,text,emotion\n1,"안녕, 반가워",행복\n2,짜증나,분노\n', encoding="utf-8")
    data, _ = read_table(path, text_column="text", label_column="emotion")
    assert data.texts == ["안녕, 반가워", "짜증나"]


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["sentence", "label"])
    sheet.append(["비 온다", "중립"])
    sheet.append([None, "중립"])
    book.save(tmp_path / "d.xlsx")
    data, report = read_table(tmp_path / "d.xlsx")
    assert data.texts == ["비 온다"] and report.dropped_missing == 1


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks the columns 'sentence' and 'label'"):
        read_table(path)


def test_split_is_622_stratified_and_reproducible() -> None:
    texts = [f"t{i}" for i in range(100)]
    labels = ["a"] * 50 + ["b"] * 50
    data = LabelledData(texts, labels)
    train, val, test = split(data, seed=0)
    assert (len(train), len(val), len(test)) == (60, 20, 20)
    assert val.labels.count("a") == 10 and test.labels.count("b") == 10
    assert not set(train.texts) & set(test.texts)
    assert split(data, seed=0)[2].texts == test.texts
    assert split(data, seed=1)[2].texts != test.texts
