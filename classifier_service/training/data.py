"""Labelled sentences from CSV/TSV/XLSX, cleaned and split as in the seed-001 recipe.

Recipe: drop rows with a missing sentence or label, drop duplicate sentences, split 6:2:2 with
random seed 0. The split is stratified by label so small classes appear in every part.
"""

from __future__ import annotations

import csv
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


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        if sheet is None:
            raise ValueError(f"{path} has no worksheet")
        return [["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)]
    delimiter = "\t" if suffix in (".tsv", ".tab") else ","
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def read_table(path: Path, text_column: str = "sentence", label_column: str = "label"
               ) -> tuple[LabelledData, CleaningReport]:
    """Read and clean a table whose header names the text and label columns."""
    rows = _rows(path)
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
