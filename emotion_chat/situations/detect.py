"""What a message is about: its situation (emotion_chat.situations) from its content words
(words.py), and who or what it names, for replies that refer to them
("강아지가 많이 보고 싶구나").

Content words come from Kiwi's morphemes (nouns, verb and adjective stems), so 강아지가,
강아지를, 강아지랑 are one word, and nouns Kiwi splits are joined back when the whole is a
listed word (카드 + 값 → 카드값). Pet loss and bereavement need two cues: a death and a pet
or a person. Otherwise the situation with the most cues wins, a sensitive one's cues counting
double (calling a bereavement "work" hurts; calling a work worry "money" does not), ties
going to the first in PRIORITY.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from emotion_chat.language.morphs import Analysis, Morpheme
from emotion_chat.situations import SENSITIVE, Situation
from emotion_chat.situations.words import (
    CUES,
    DEATH_OF_PET,
    DIED,
    FAMILY,
    FRIENDS,
    GONE_FIRST,
    HONORIFIC,
    MATTERS,
    MISSING,
    MOURNING,
    NOT_EATING,
    PARTNERS,
    PET_THINGS,
    PETS,
    PHRASES,
    PRIORITY,
    RAINBOW_BRIDGE,
    VOCABULARY,
    WHO_BY_SITUATION,
)

S = Situation
NOUN_TAGS = ("NNG", "NNP")
CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR")
LONGEST_COMPOUND = 3
LONG_WORDS = frozenset(w for w in VOCABULARY if len(w) >= 3)


@dataclass(frozen=True, slots=True)
class Topic:
    situation: Situation | None = None
    who: str = ""
    what: str = ""


NO_TOPIC = Topic()


@dataclass(frozen=True, slots=True)
class Term:
    """A content word of the message: one morpheme, or nouns joined into a listed word."""

    form: str
    tag: str


def terms(analysis: Analysis) -> list[Term]:
    """The message's content words in order; runs of nouns are joined greedily into the
    longest listed word (권고 + 사직 → 권고사직)."""
    found: list[Term] = []
    morphemes = analysis.morphemes
    i = 0
    while i < len(morphemes):
        m = morphemes[i]
        if m.tag in NOUN_TAGS:
            run_end = i
            while (run_end < len(morphemes) and run_end - i < LONGEST_COMPOUND
                   and morphemes[run_end].tag in NOUN_TAGS):
                run_end += 1
            for end in range(run_end, i + 1, -1):
                joined = "".join(x.form for x in morphemes[i:end])
                if joined in VOCABULARY:
                    found.append(Term(joined, "NNG"))
                    i = end
                    break
            else:
                found.append(Term(m.form, m.tag))
                i += 1
            continue
        tag = m.tag.split("-")[0]
        idiom = m.form == "먹" and bool(found) and found[-1].form in NOT_EATING
        if tag in CONTENT_TAGS and not idiom:
            found.append(Term(m.form, tag))
        i += 1
    # Kiwi sometimes splits a long listed word oddly (카드값 → 카드 가 ᆹ): found in the text
    found += [Term(word, "NNG") for word in LONG_WORDS if word in analysis.text
              and all(t.form != word for t in found)]
    return found


def _hits(words: frozenset[str], found: list[Term]) -> Iterator[str]:
    """The listed words among the terms (a term that starts with a listed word of two or
    more letters counts: 단톡방 for 단톡)."""
    for term in found:
        for word in words:
            form, _, tag = word.partition("/")
            if tag and tag != term.tag:
                continue
            if term.form == form or (len(form) > 1 and term.form.startswith(form)):
                yield word
                break


def _who(analysis: Analysis, situation: Situation) -> str:
    candidates = WHO_BY_SITUATION.get(situation)
    if not candidates:
        return ""
    morphemes: tuple[Morpheme, ...] = analysis.morphemes
    for i, morpheme in enumerate(morphemes):
        if morpheme.tag in NOUN_TAGS and morpheme.form in candidates:
            honour = i + 1 < len(morphemes) and morphemes[i + 1].form == "님"
            return morpheme.form + ("님" if honour or morpheme.form in HONORIFIC else "")
    return ""


def _what(found: list[Term], situation: Situation) -> str:
    matters = MATTERS.get(situation, frozenset())
    return next((t.form for t in found if t.form in matters), "")


def _score(situation: Situation, found: list[Term], analysis: Analysis) -> int:
    count = len(set(_hits(CUES[situation], found)))
    phrase = PHRASES.get(situation)
    if phrase is not None and phrase.search(analysis.rendered):
        count += 1
    return count * (2 if situation in SENSITIVE else 1)


def situation_of(analysis: Analysis, found: list[Term]) -> Situation | None:
    rendered = analysis.rendered
    pets = any(_hits(PETS | PET_THINGS, found))
    if RAINBOW_BRIDGE.search(rendered) or (pets and DEATH_OF_PET.search(rendered)):
        return S.PET_LOSS
    people = any(_hits(FAMILY | FRIENDS | PARTNERS, found))
    gone_first = GONE_FIRST.search(rendered) and any(w in analysis.text for w in MISSING)
    if (people and (DIED.search(rendered) or gone_first)) \
            or (MOURNING.search(rendered) and not pets):
        return S.BEREAVEMENT
    scores = {s: _score(s, found, analysis) for s in PRIORITY if s in CUES}
    best = max(scores.values())
    if best == 0:
        return None
    return next(s for s in PRIORITY if scores.get(s) == best)


def detect(analysis: Analysis) -> Topic:
    """The message's situation and who/what it names; NO_TOPIC when nothing is found."""
    found = terms(analysis)
    situation = situation_of(analysis, found)
    if situation is None:
        return NO_TOPIC
    return Topic(situation, _who(analysis, situation), _what(found, situation))

