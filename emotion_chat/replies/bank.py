"""A persona's reply bank: offline replies organised by core emotion × situation.

A bank file (`emotion_chat/personas/bank/<persona>.json`, see docs/reply-bank.md) lists
entries: the reply's text, the core emotions it fits, the situations it is written for (none:
a generic line) and whether it is playful. Texts may refer to what the person said through
slots: `{who}` (the person or animal they talked about: 엄마, 강아지, 팀장님) and `{what}` (the
matter: 면접, 수술, 카드값), with an agreeing particle: `{who:이}` → 엄마가, 강아지가.

Choosing a reply for (text, emotion, situation, who, what), from pools in order: the lines
written for that emotion and situation (for a question, the situation's small talk first),
the emotion's generic lines on a topic the person raised (topics.py), all its generic lines:
1. never a playful line in a sensitive situation (bereavement, illness, money trouble...),
   nor a line whose slots cannot be filled, nor one already given in this conversation
   (unless all were, and never the last one);
2. a question is answered by a line that does not ask back, when there is one;
3. the first pool with a line that reads as having listened (listening.py: it names no one
   the person did not mention and restates no event they did not tell) gives the reply;
   with none anywhere, the first pool;
4. within it, lines are ranked by TF-IDF-weighted character-bigram similarity to the
   message less a penalty per sign of not having listened; ties are broken by a seeded
   random choice, so a conversation is reproducible but not repetitive.

Shared by the generator's offline backend and the orchestrator's fallback.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from emotion_chat.language.josa import PAIRS, attach
from emotion_chat.personas import Persona
from emotion_chat.replies.listening import (
    LineFacts,
    Said,
    asks_back,
    misfits,
    read_lines,
    strays,
)
from emotion_chat.replies.topics import topics_in
from emotion_chat.situations import SENSITIVE, Situation
from emotion_chat.taxonomy import CORE_LABELS

TIE = 1e-9
MISFIT_PENALTY = 0.08
"""Per sign of not having listened (listening.py); cosine similarities of short texts are
mostly below 0.3."""
STRAY_PENALTY = 0.04
"""Per matter a line names that the message did not raise."""
SLOT = re.compile(r"\{(who|what)(?::([^}]*))?\}")
SLOTS = ("who", "what")


def bigrams(text: str) -> Counter[str]:
    compact = "".join(text.split())
    return Counter(compact[i:i + 2] for i in range(len(compact) - 1))


@dataclass(frozen=True)
class Entry:
    text: str
    emotions: frozenset[str]
    situations: frozenset[Situation]
    playful: bool
    slots: frozenset[str]
    topics: frozenset[str]
    vector: dict[str, float]
    norm: float

    @property
    def plain(self) -> str:
        """The text without its slots."""
        return SLOT.sub("", self.text)

    def fill(self, fillers: Mapping[str, str]) -> str:
        return SLOT.sub(lambda m: attach(fillers[m[1]], m[2] or ""), self.text)


@dataclass(frozen=True)
class Query:
    text: str
    emotion: str
    """A core emotion (중립 when unknown)."""
    situation: Situation | None = None
    who: str = ""
    what: str = ""
    sensitive: bool = False
    """Treat as sensitive even if the situation is not (e.g. after a crisis turn)."""
    question: bool = False
    """The message asks something: with no line for its emotion in its situation, the
    situation's 중립 lines (small talk) answer before the generic ones."""


def parse_entries(raw: Any, where: str) -> list[dict[str, Any]]:
    """The entries of a bank file, checked; ValueError names the entry and what is wrong."""
    if not isinstance(raw, dict) or not isinstance(raw.get("replies"), list):
        raise ValueError(f"{where}: expected {{\"replies\": [...]}}")
    entries = []
    for i, item in enumerate(raw["replies"]):
        at = f"{where}: replies[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError(f"{at}: needs a text")
        text = item["text"].strip()
        emotions = item.get("emotions")
        if not emotions or not set(emotions) <= set(CORE_LABELS):
            raise ValueError(f"{at}: emotions must be a non-empty list of {CORE_LABELS}")
        situations = item.get("situations", [])
        unknown = set(situations) - {s.value for s in Situation}
        if unknown:
            raise ValueError(f"{at}: unknown situations {sorted(unknown)}")
        for slot in SLOT.finditer(text):
            if (slot[2] or "") not in PAIRS:
                raise ValueError(f"{at}: unknown particle in {slot[0]}")
        leftover = SLOT.sub("", text)
        if "{" in leftover or "}" in leftover:
            raise ValueError(f"{at}: braces other than {{who}} / {{what}} slots")
        playful = bool(item.get("playful", False))
        if playful and SENSITIVE & {Situation(s) for s in situations}:
            raise ValueError(f"{at}: a playful line cannot be for a sensitive situation")
        entries.append({"text": text, "emotions": emotions, "situations": situations,
                        "playful": playful})
    return entries


class ReplyBank:
    """One persona's replies, indexed for choosing."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        missing = set(CORE_LABELS) - {e for entry in entries for e in entry["emotions"]
                                      if not entry["situations"]}
        if missing:
            raise ValueError(f"reply bank lacks generic lines for {sorted(missing)}")
        document_freq: Counter[str] = Counter()
        for entry in entries:
            document_freq.update(set(bigrams(SLOT.sub("", entry["text"]))))
        total = len(entries)
        self._idf = {g: math.log((1 + total) / (1 + df)) + 1 for g, df in document_freq.items()}
        self._default_idf = math.log(1 + total) + 1
        self.entries = [self._index(entry) for entry in entries]

    @classmethod
    def from_file(cls, path: Path) -> ReplyBank:
        return cls(parse_entries(json.loads(path.read_text(encoding="utf-8")), str(path)))

    @classmethod
    def load(cls, persona: Persona) -> ReplyBank:
        return cls.from_file(persona.bank_path)

    def _weights(self, text: str) -> dict[str, float]:
        return {g: n * self._idf.get(g, self._default_idf) for g, n in bigrams(text).items()}

    def _index(self, entry: dict[str, Any]) -> Entry:
        plain = SLOT.sub("", entry["text"])
        vector = self._weights(plain)
        return Entry(entry["text"], frozenset(entry["emotions"]),
                     frozenset(Situation(s) for s in entry["situations"]), entry["playful"],
                     frozenset(m[1] for m in SLOT.finditer(entry["text"])), topics_in(plain),
                     vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0)

    @cached_property
    def _facts(self) -> dict[str, LineFacts]:
        """Who each line names and what it restates (listening.py); analysed with Kiwi once,
        when the bank first chooses."""
        return dict(zip((e.text for e in self.entries),
                        read_lines([e.plain for e in self.entries]), strict=True))

    def warm_up(self) -> ReplyBank:
        """Analyse the lines now (a second or more for a bank), not on the first turn: a
        service calls this before it reports SERVING."""
        _ = self._facts
        return self

    def texts(self) -> list[str]:
        return [entry.text for entry in self.entries]

    def pools(self, query: Query) -> list[list[Entry]]:
        """The lines that may answer the query (rules 1-3 but repeats), best-fitting first:
        those written for its situation and emotion (for a question, the situation's small
        talk first), then the emotion's generic lines on a topic the person raised, then all
        its generic lines."""
        fillers = {"who": query.who, "what": query.what}
        sensitive = query.sensitive or query.situation in SENSITIVE
        raised = topics_in(query.text)

        def usable(entry: Entry) -> bool:
            return (not (sensitive and entry.playful)
                    and all(fillers[slot] for slot in entry.slots))

        pools = []
        if query.situation is not None:
            # a question asks for something: the situation's small talk (점심은 국밥 어때?)
            # answers it before lines about the feeling it was read with
            order = ("중립", query.emotion) if query.question else (query.emotion,)
            for emotion in dict.fromkeys(order):
                pools.append([e for e in self.entries if query.situation in e.situations
                              and emotion in e.emotions and usable(e)])
        generic = [e for e in self.entries if not e.situations and query.emotion in e.emotions
                   and usable(e)]
        pools += [[e for e in generic if e.topics <= raised], generic]
        if not any(pools):  # a bank without a usable generic line for the emotion
            pools.append([e for e in self.entries if not e.situations and not e.slots
                          and not e.playful])
        return [pool for pool in pools if pool]

    def choose(self, query: Query, avoid: Iterable[str], rng: random.Random) -> str:
        """The best unused line of the first pool that has one that reads as having listened
        (listening.py); else the best unused line of the first pool; repeats only when
        every line was used (never the last reply)."""
        fillers = {"who": query.who, "what": query.what}
        pools = self.pools(query)
        used = set(avoid)
        last = list(avoid)[-1:]
        fresh = [[e for e in pool if e.fill(fillers) not in used] for pool in pools]
        if not any(fresh):  # every line was used: allow repeats, but never the last one
            fresh = [[e for e in pool if e.fill(fillers) not in last] or pool
                     for pool in pools]
        if query.question:  # 점심 뭐 먹지? is answered, not asked back (점심 뭐 먹었어?)
            fresh = [[e for e in pool if not asks_back(e.text)] or pool for pool in fresh]
        said = Said.of(query.text)
        clean = [[e for e in pool if not misfits(self._facts[e.text], said)] for pool in fresh]
        pool = next((p for p in clean if p), None) or next(p for p in fresh if p)
        query_vector = self._weights(query.text)
        query_norm = math.sqrt(sum(v * v for v in query_vector.values())) or 1.0

        def score(entry: Entry) -> float:
            similarity = sum(w * entry.vector.get(g, 0.0) for g, w in query_vector.items()) \
                / (query_norm * entry.norm)
            facts = self._facts[entry.text]
            return similarity - MISFIT_PENALTY * misfits(facts, said) \
                - STRAY_PENALTY * strays(facts, said)

        scored = [(score(e), e) for e in pool]
        best = max(score for score, _ in scored)
        chosen = rng.choice([e for score, e in scored if score >= best - TIE])
        return chosen.fill(fillers)


def seed_for(conversation_id: str, turn: int, text: str) -> int:
    """A tie-break seed stable for one turn of one conversation."""
    key = f"{conversation_id}|{turn}|{text}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


def chunks(text: str) -> list[str]:
    """Split a reply into word-sized deltas (spaces kept) for streaming."""
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
