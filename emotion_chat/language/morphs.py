"""Morphological analysis of Korean with Kiwi (kiwipiepy, which ships its model on PyPI).

One analyser per process, loaded on first use (about a second) or at start-up with
`warm_up()`. An `Analysis` keeps the morphemes with their tags and offers the views the
safety layer and the situation detector need: content words (nouns, verb and adjective
stems) and morpheme sequences to match patterns against.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any

_lock = threading.Lock()
_kiwi: Any = None


def analyser() -> Any:
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def warm_up() -> None:
    """Load the model and run it once (its first analysis is slow)."""
    analyse("안녕하세요. 오늘 하루는 어땠어요?")


@dataclass(frozen=True, slots=True)
class Morpheme:
    form: str
    tag: str
    """Sejong-style tag: NNG/NNP nouns, VV verb, VA adjective, VX auxiliary, EC/EF/ETM/ETN
    endings, JKS/JKO/JKB/JX particles, MAG adverb, IC interjection, XSV/XSA suffixes..."""
    start: int
    """Offset of the morpheme in the text (characters)."""

    @property
    def key(self) -> str:
        """`form/TAG` with the tag's family (VV-R → VV): what patterns match."""
        return f"{self.form}/{self.tag.split('-')[0]}"


@dataclass(frozen=True)
class Analysis:
    text: str
    morphemes: tuple[Morpheme, ...]

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.morphemes)

    @cached_property
    def rendered(self) -> str:
        """` form/TAG form/TAG ... ` (spaces around): what regular-expression patterns over
        morphemes run on."""
        return " " + " ".join(self.keys) + " "

    @cached_property
    def nouns(self) -> tuple[str, ...]:
        return tuple(m.form for m in self.morphemes if m.tag in ("NNG", "NNP"))

    @cached_property
    def stems(self) -> tuple[str, ...]:
        """Verb and adjective stems (as lemmas without 다)."""
        return tuple(m.form for m in self.morphemes if m.tag.split("-")[0] in ("VV", "VA"))

    @cached_property
    def content(self) -> frozenset[str]:
        """Nouns and stems: what the message is about."""
        return frozenset(self.nouns) | frozenset(self.stems)

    @property
    def is_question(self) -> bool:
        """The message asks something, or asks for something (추천해 줘, 알려 줘)."""
        stripped = self.text.rstrip()
        if stripped.endswith("?") or _REQUEST.search(stripped):
            return True
        endings = [m for m in self.morphemes if m.tag in ("EF", "EC")]
        return bool(endings) and endings[-1].form in _QUESTION_ENDINGS


# Sentence endings that ask (when the message has no question mark); 어/아 are left out:
# they end statements as often as questions.
_QUESTION_ENDINGS = frozenset("""
까 ᆯ까 을까 ᆯ까요 을까요 니 냐 나 나요 는지 는가 ᆫ가 ᆫ가요 ᆯ래 을래 ᆯ래요 ᆸ니까 습니까
""".split())


_REQUEST = re.compile(r"(?:추천|알려|가르쳐|골라|말해)(?:\s*해)?\s*"
                      r"(?:줘|줄래|주세요|주라|줘요|줄 수)")


def analyse(text: str) -> Analysis:
    tokens = analyser().tokenize(text)
    return Analysis(text, tuple(Morpheme(t.form, t.tag, t.start) for t in tokens))
