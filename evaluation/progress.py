"""A progress bar on stderr (tqdm when installed, a plain counter otherwise)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Counter:
    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0

    def update(self, n: int = 1) -> None:
        self.done += n
        print(f"\r{self.label}: {self.done}/{self.total}", end="", file=sys.stderr, flush=True)


@contextmanager
def progress(total: int, label: str) -> Iterator[Any]:
    try:
        from tqdm import tqdm
    except ImportError:
        counter = _Counter(total, label)
        yield counter
        print(file=sys.stderr)
        return
    with tqdm(total=total, desc=label, unit="text", file=sys.stderr) as bar:
        yield bar
