"""The offline backend: replies from a shipped bank per persona and reply emotion.

Candidates are the persona's replies for the reply emotion, minus replies the bot already
gave in this conversation, minus replies that mention a topic the user did not raise (see
topics.py). They are ranked by TF-IDF-weighted character-bigram cosine similarity to the
user's text (a reply about 시험 wins for a message about 시험); ties among the best are broken
by a seeded random choice (the request's seed, else a hash of the conversation id and turn
number), so a conversation is reproducible but not repetitive.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from emotion_chat.personas import Persona, PersonaRegistry
from generator_service.backends.base import Completion, GenerationInput
from generator_service.backends.topics import topics_in
from generator_service.emotions import REPLY_EMOTIONS

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
        missing = set(REPLY_EMOTIONS) - set(replies)
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

    def _weights(self, text: str) -> dict[str, float]:
        return {g: n * self._idf.get(g, self._default_idf) for g, n in bigrams(text).items()}

    def _index(self, text: str) -> _Reply:
        vector = self._weights(text)
        return _Reply(text, vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0,
                      topics_in(text))

    def count(self, emotion: str) -> int:
        return len(self._replies[emotion])

    def choose(self, text: str, emotion: str, avoid: Iterable[str], rng: random.Random) -> str:
        used = list(avoid)
        raised = topics_in(text)
        on_topic = [r for r in self._replies[emotion] if r.topics <= raised]
        pool = on_topic or self._replies[emotion]
        candidates = [r for r in pool if r.text not in set(used)]
        if not candidates:  # every reply was used: allow repeats, but never the last one
            candidates = [r for r in pool if r.text not in used[-1:]]
        query = self._weights(text)
        query_norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
        scored = [(sum(w * r.vector.get(g, 0.0) for g, w in query.items()) / (query_norm * r.norm),
                   r.text) for r in candidates]
        best = max(score for score, _ in scored)
        return rng.choice([t for score, t in scored if score >= best - TIE])


def turn_seed(request: GenerationInput) -> int:
    if request.seed is not None:
        return request.seed
    key = f"{request.conversation_id}|{len(request.history)}|{request.text}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


def chunks(text: str) -> list[str]:
    """Split a reply into word-sized deltas (spaces kept) for streaming."""
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


class BankBackend:
    name = "bank"
    model_name = "reply-bank"

    def __init__(self, personas: PersonaRegistry) -> None:
        self._personas = personas
        self._banks: dict[str, ReplyBank] = {}

    async def startup(self) -> None:
        for persona in self._personas:
            self._banks[persona.id] = self.load_bank(persona)

    @staticmethod
    def load_bank(persona: Persona) -> ReplyBank:
        return ReplyBank(json.loads(persona.bank_path.read_text(encoding="utf-8")))

    async def shutdown(self) -> None:
        self._banks.clear()

    async def stream(self, request: GenerationInput) -> AsyncIterator[str | Completion]:
        bank = self._banks[request.persona.id]
        reply = bank.choose(request.text, request.reply_emotion, request.previous_replies,
                            random.Random(turn_seed(request)))
        pieces = chunks(reply)
        for piece in pieces:
            yield piece
        yield Completion(finish_reason="bank", prompt_tokens=len(request.text.split()),
                         completion_tokens=len(pieces))
