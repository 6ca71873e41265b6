"""Labelled sentences from CSV/TSV/XLSX/JSONL, cleaned and split as in the BERT & GPT
pipeline paper's recipe.

Recipe: drop rows with a missing sentence or label, drop duplicate sentences, split 6:2:2 with
random seed 0. The split is stratified by label so small classes appear in every part.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LabelledData:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def label_set(self) -> list[str]:
        """Labels in first-seen order (stable ids across runs on the same file)."""
        return list(dict.fromkeys(self.labels))


@dataclass(frozen=True)
class CleaningReport:
    rows: int
    dropped_missing: int
    dropped_duplicates: int


def rows_of(path: Path) -> list[list[str]]:
    """A table's rows, header first: CSV, TSV, XLSX, or JSON Lines (one object per line; the
    header is the first object's keys)."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        if sheet is None:
            raise ValueError(f"{path} has no worksheet")
        return [["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)]
    if suffix in (".jsonl", ".ndjson"):
        return _json_lines(path)
    delimiter = "\t" if suffix in (".tsv", ".tab") else ","
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def _json_lines(path: Path) -> list[list[str]]:
    records = []
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {number} is not JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}: line {number} is not a JSON object")
            records.append(record)
    if not records:
        return []
    header = list(records[0])
    return [header, *[["" if r.get(k) is None else str(r.get(k)) for k in header]
                      for r in records]]


def read_table(path: Path, text_column: str = "sentence", label_column: str = "label"
               ) -> tuple[LabelledData, CleaningReport]:
    """Read and clean a table whose header names the text and label columns."""
    rows = rows_of(path)
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [h.strip() for h in rows[0]]
    try:
        text_idx, label_idx = header.index(text_column), header.index(label_column)
    except ValueError:
        raise ValueError(f"{path}: header {header} lacks the columns {text_column!r} and "
                         f"{label_column!r} (choose them with --text-column/--label-column)"
                         ) from None
    texts: list[str] = []
    labels: list[str] = []
    seen: set[str] = set()
    missing = duplicates = 0
    for row in rows[1:]:
        text = row[text_idx].strip() if len(row) > text_idx else ""
        label = row[label_idx].strip() if len(row) > label_idx else ""
        if not text or not label or label.lower() in ("nan", "na", "none"):
            missing += 1
            continue
        if text in seen:
            duplicates += 1
            continue
        seen.add(text)
        texts.append(text)
        labels.append(label)
    return (LabelledData(texts, labels),
            CleaningReport(rows=len(rows) - 1, dropped_missing=missing,
                           dropped_duplicates=duplicates))


def read_tables(paths: tuple[Path, ...] | list[Path]) -> LabelledData:
    """Several tables with the same columns as one (duplicates across them dropped)."""
    texts: list[str] = []
    labels: list[str] = []
    seen: set[str] = set()
    for path in paths:
        data, _ = read_table(path)
        for text, label in zip(data.texts, data.labels, strict=True):
            if text not in seen:
                seen.add(text)
                texts.append(text)
                labels.append(label)
    return LabelledData(texts, labels)


def split(data: LabelledData, ratios: tuple[float, float, float] = (0.6, 0.2, 0.2),
          seed: int = 0) -> tuple[LabelledData, LabelledData, LabelledData]:
    """Stratified train/validation/test split, reproducible for a given seed."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(data.labels):
        by_label[label].append(i)
    rng = random.Random(seed)
    parts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for label in data.label_set:
        indices = by_label[label]
        rng.shuffle(indices)
        n_train = round(len(indices) * ratios[0])
        n_val = round(len(indices) * ratios[1])
        parts[0].extend(indices[:n_train])
        parts[1].extend(indices[n_train:n_train + n_val])
        parts[2].extend(indices[n_train + n_val:])

    def subset(indices: list[int]) -> LabelledData:
        indices = sorted(indices)
        return LabelledData([data.texts[i] for i in indices], [data.labels[i] for i in indices])

    return subset(parts[0]), subset(parts[1]), subset(parts[2])


SEPARATOR = "|"
"""How a multi-label row's labels are joined in LabelledData.labels (sorted)."""
TRUE_VALUES = frozenset({"1", "1.0", "true", "yes", "y", "o", "t"})
FALSE_VALUES = frozenset({"0", "0.0", "false", "no", "n", "x", "f", ""})


@dataclass(frozen=True)
class MultiLabelled:
    data: LabelledData
    """Texts with their labels joined by SEPARATOR (sorted), so split() stratifies on the
    combination."""
    names: list[str]
    """The label names, in column (or first-seen) order: the model's label ids."""

    def label_sets(self) -> list[frozenset[str]]:
        return [frozenset(labels.split(SEPARATOR)) for labels in self.data.labels]


def read_multilabel_table(path: Path, text_column: str = "sentence",
                          label_columns: list[str] | None = None,
                          separator: str = SEPARATOR, label_column: str = "labels"
                          ) -> tuple[MultiLabelled, CleaningReport]:
    """A multi-label table: either one column of labels joined by `separator`
    (`기쁨|불안`), or one 0/1 column per label (`label_columns`). Rows without any label and
    duplicate texts are dropped; an unparseable 0/1 value is an error naming the row."""
    rows = rows_of(path)
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [h.strip() for h in rows[0]]
    wanted = [text_column, *(label_columns or [label_column])]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise ValueError(f"{path}: header {header} lacks the column(s) {missing} (choose them "
                         "with --text-column and --label-columns or --label-column)")
    text_idx = header.index(text_column)
    texts: list[str] = []
    joined: list[str] = []
    names: list[str] = list(label_columns or [])
    seen: set[str] = set()
    dropped = duplicates = 0
    for number, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        text = cells[text_idx].strip()
        if label_columns:
            found = []
            for column in label_columns:
                value = cells[header.index(column)].strip().lower()
                if value not in TRUE_VALUES | FALSE_VALUES:
                    raise ValueError(f"{path}: row {number}: {column}={value!r} is not 0/1")
                if value in TRUE_VALUES:
                    found.append(column)
        else:
            found = [p.strip() for p in cells[header.index(label_column)].split(separator)
                     if p.strip()]
        if not text or not found:
            dropped += 1
            continue
        if text in seen:
            duplicates += 1
            continue
        seen.add(text)
        names.extend(label for label in dict.fromkeys(found) if label not in names)
        texts.append(text)
        joined.append(SEPARATOR.join(sorted(set(found))))
    if not texts:
        raise ValueError(f"{path}: no labelled rows")
    return (MultiLabelled(LabelledData(texts, joined), names),
            CleaningReport(rows=len(rows) - 1, dropped_missing=dropped,
                           dropped_duplicates=duplicates))
