"""The Korean sentence mix of the benchmarks: chat-style sentences of 5–60 characters."""

from __future__ import annotations

import random

from classifier_service.demo import DATASET
from classifier_service.training.data import read_table


def sentence_mix(seed: int = 0, min_chars: int = 5, max_chars: int = 60) -> list[str]:
    """The shipped dataset's sentences within the length band, shuffled reproducibly."""
    data, _ = read_table(DATASET)
    texts = [t for t in data.texts if min_chars <= len(t) <= max_chars]
    random.Random(seed).shuffle(texts)
    return texts
