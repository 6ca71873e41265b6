"""Reading the evaluation tables (TSV with a header), with one clear error line when a table
is not usable."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


class TableError(ValueError):
    """A table that cannot be used: missing file or column, empty or unknown values."""


@dataclass(frozen=True)
class Table:
    path: Path
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def column(self, name: str) -> list[str]:
        return [row[name] for row in self.rows]


def read_tsv(path: Path, required: tuple[str, ...]) -> Table:
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        columns = tuple(reader.fieldnames or ())
        missing = [c for c in required if c not in columns]
        if missing:
            raise TableError(f"{path}: missing column(s) {', '.join(missing)} "
                             f"(found: {', '.join(columns) or 'none'})")
        rows = []
        for number, row in enumerate(reader, start=2):
            for column in required:
                if not (row.get(column) or "").strip():
                    raise TableError(f"{path}: line {number}: empty {column}")
            rows.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    if not rows:
        raise TableError(f"{path}: no rows")
    return Table(path, columns, tuple(rows))
