"""The Korean sentence mix of the benchmarks: chat-style sentences of 5–60 characters
(`sentences_ko.txt`, written for the benchmarks; not part of any training data)."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

SENTENCES = Path(__file__).with_name("sentences_ko.txt")


@cache
def _load() -> tuple[str, ...]:
    return tuple(line.strip() for line in SENTENCES.read_text(encoding="utf-8").splitlines()
                 if line.strip())


def sentence_mix(seed: int = 0) -> list[str]:
    """The shipped sentences, shuffled reproducibly."""
    texts = list(_load())
    random.Random(seed).shuffle(texts)
    return texts
