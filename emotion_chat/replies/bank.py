"""A persona's reply bank: the offline replies per core emotion, indexed for similarity.

Candidates are the persona's replies for the core emotion, minus replies the bot already
gave in this conversation, minus replies that mention a topic the user did not raise (see
topics.py). They are ranked by TF-IDF-weighted character-bigram cosine similarity to the
user's text (a reply about 시험 wins for a message about 시험); ties among the best are broken
by a seeded random choice, so a conversation is reproducible but not repetitive.

Shared by the generator's offline backend and the orchestrator's fallback when the generator
is down.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from emotion_chat.personas import Persona
from emotion_chat.replies.topics import topics_in
from emotion_chat.taxonomy import CORE_LABELS

TIE = 1e-9


def bigrams(text: str) -> Counter[str]:
    compact = "".join(text.split())
    return Counter(compact[i:i + 2] for i in range(len(compact) - 1))


@dataclass(frozen=True)
class _Reply:
    text: str
    vector: dict[str, float]
    norm: float
    topics: frozenset[str]


class ReplyBank:
    """One persona's replies, indexed for similarity search."""

    def __init__(self, replies: dict[str, list[str]]) -> None:
        missing = set(CORE_LABELS) - set(replies)
        if missing:
            raise ValueError(f"reply bank lacks the emotions {sorted(missing)}")
        all_texts = [t for texts in replies.values() for t in texts]
        document_freq: Counter[str] = Counter()
        for text in all_texts:
            document_freq.update(set(bigrams(text)))
        total = len(all_texts)
        self._idf = {g: math.log((1 + total) / (1 + df)) + 1 for g, df in document_freq.items()}
        self._default_idf = math.log(1 + total) + 1
        self._replies = {emotion: [self._index(t) for t in texts]
                         for emotion, texts in replies.items()}

    @classmethod
    def load(cls, persona: Persona) -> ReplyBank:
        return cls(json.loads(persona.bank_path.read_text(encoding="utf-8")))

    def _weights(self, text: str) -> dict[str, float]:
        return {g: n * self._idf.get(g, self._default_idf) for g, n in bigrams(text).items()}

    def _index(self, text: str) -> _Reply:
        vector = self._weights(text)
        return _Reply(text, vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0,
                      topics_in(text))

    def count(self, emotion: str) -> int:
        return len(self._replies[emotion])

    def texts(self, emotion: str) -> list[str]:
        return [r.text for r in self._replies[emotion]]

    def choose(self, text: str, emotion: str, avoid: Iterable[str], rng: random.Random) -> str:
        used = list(avoid)
        raised = topics_in(text)
        on_topic = [r for r in self._replies[emotion] if r.topics <= raised]
        pool = on_topic or self._replies[emotion]
        candidates = [r for r in pool if r.text not in set(used)]
        if not candidates:  # every reply was used: allow repeats, but never the last one
            candidates = [r for r in pool if r.text not in used[-1:]] or pool
        query = self._weights(text)
        query_norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
        scored = [(sum(w * r.vector.get(g, 0.0) for g, w in query.items()) / (query_norm * r.norm),
                   r.text) for r in candidates]
        best = max(score for score, _ in scored)
        return rng.choice([t for score, t in scored if score >= best - TIE])


def seed_for(conversation_id: str, turn: int, text: str) -> int:
    """A tie-break seed stable for one turn of one conversation."""
    key = f"{conversation_id}|{turn}|{text}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


def chunks(text: str) -> list[str]:
    """Split a reply into word-sized deltas (spaces kept) for streaming."""
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
