"""Whether a reply line reads as having listened: beyond its emotion and situation, a line
must not name someone the person did not mention (선생님이 너만 혼냈어? to someone left out by
classmates), nor restate an event they did not tell (남이 한 실수를 네 탓으로 돌렸다고? to
someone whose boss texts them on a Sunday; 집안일을 너만 다 하는 것 같아서 화나는구나 to someone
whose sister took their clothes), and should not name a matter they did not raise (주말 계획
완전 신나는데? to someone who knitted a scarf).

A sentence "restates" when it echoes (~다고?, ~다니, ~라니, ~었어?) or reflects (~구나): it
fits when at least half of its content words (nouns, verb and adjective stems, leaving out
feelings, people and the words every line uses) are the message's own. Matters are the
situation words (emotion_chat.situations.words); a line that suggests something (점심은
국밥 어때?, 우산 챙겨) may name one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from emotion_chat.language.morphs import analyse, analyser
from emotion_chat.situations.words import PEOPLE, VOCABULARY

NOUNS = ("NNG", "NNP")
STEMS = ("VV", "VA")
ECHO = re.compile(r"(?:다고|라고|냐고)\s*[?!]|(?:다니|라니)(?:[,.!?…~ ]|$)|구나")
PAST_ASK = re.compile(r"([가-힣])어\?")
"""~었어?: an echo when the syllable before is in the past tense (ends in ㅆ)."""
SSANG_SIOT_FINAL = 20  # a syllable's final consonant index (Unicode Hangul) for ㅆ
SENTENCE = re.compile(r"[^.!?…~]+[.!?…~]*")
SUGGESTS = re.compile(r"어때|추천|해\s?봐|하자|챙겨|둬|보는 거|어떨까|먹자|가자")
# Words every other line uses: sharing one says nothing about having listened.
COMMON = frozenset("""
마음 사람 말 얘기 오늘 하루 생각 시간 기분 정말 진짜 너 나 우리 거 것 때 일 번 날 속 좀
그렇 이렇 저렇 어떻 그러 이러 않 하 되 있 없 보 같 주 오 가 알 받 쓰 싶 들 나오 만들 놓
두 지 또 다 네 내 혼자 너무 많 크 작 요즘 지금 이제 순간 그동안 정도
""".split())
# Feelings: a reflection may name one the message did not ("속상했구나").
FEELINGS = frozenset("""
좋 싫 기쁘 슬프 화 화나 뿌듯 신나 행복 웃 울 속상 서운 당황 당황스럽 민망 창피 불안 걱정
무섭 겁 겁나 떨리 초조 놀라 아프 힘들 외롭 허전 재밌 즐겁 감동 억울 답답 막막 서럽 괴롭
짜증 열받 부끄럽 미안 고맙 설레 두근거리 조마조마 아쉽 그립 보고 싶 지치 편하 괜찮 다행
""".split())


@dataclass(frozen=True, slots=True)
class LineFacts:
    people: frozenset[str]
    """The people and animals the line names."""
    matters: frozenset[str]
    """The situation words it names, unless it suggests them."""
    echoes: tuple[frozenset[str], ...] = ()
    """The content words of each sentence that restates or reflects something."""


@dataclass(frozen=True, slots=True)
class Said:
    text: str
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Said:
        morphemes = analyse(text).morphemes
        return cls(text, frozenset(m.form for m in morphemes
                                   if m.tag.split("-")[0] in (*NOUNS, *STEMS)))

    def mentions(self, word: str) -> bool:
        """A word of the message (one-letter words only as a whole morpheme: 돈, 빚)."""
        return word in self.words or (len(word) > 1 and word in self.text)


def echoes(text: str) -> bool:
    """The text restates an event or reflects something back (다고?, 다니, 었어?, 구나)."""
    return bool(ECHO.search(text)) or any(
        (ord(m[1]) - 0xAC00) % 28 == SSANG_SIOT_FINAL for m in PAST_ASK.finditer(text))


def _content(form: str, tag: str) -> bool:
    return (tag.split("-")[0] in (*NOUNS, *STEMS) and form not in COMMON
            and form not in FEELINGS and form not in PEOPLE)


def read_lines(texts: Sequence[str]) -> list[LineFacts]:
    """The facts of many lines at once (Kiwi analyses a batch on all its threads)."""
    facts = []
    for text, tokens in zip(texts, analyser().tokenize(list(texts)), strict=True):
        nouns = {t.form for t in tokens if t.tag in NOUNS}
        people = frozenset(nouns & PEOPLE)
        matters = frozenset() if SUGGESTS.search(text) else frozenset(
            n for n in nouns - PEOPLE - COMMON if n in VOCABULARY)
        restated = []
        for sentence in SENTENCE.finditer(text):
            if echoes(sentence[0]):
                restated.append(frozenset(
                    t.form for t in tokens if sentence.start() <= t.start < sentence.end()
                    and _content(t.form, t.tag)))
        facts.append(LineFacts(people, matters, tuple(w for w in restated if w)))
    return facts


def misfits(line: LineFacts, said: Said) -> int:
    """How many ways the line plainly shows it did not listen (0: none): someone the person
    did not mention, a restated event that is mostly not theirs."""
    count = sum(not said.mentions(who) for who in line.people)
    for words in line.echoes:
        if 2 * sum(said.mentions(w) for w in words) < len(words):
            count += 1
    return count


def strays(line: LineFacts, said: Said) -> int:
    """How many matters the line names that the message did not raise: milder than a misfit
    (떡볶이 in a line about dinner to someone who cooked 된장찌개 still talks about dinner)."""
    return sum(not said.mentions(word) for word in line.matters)


def asks_back(text: str) -> bool:
    """The line asks a question that is not a suggestion (점심 뭐 먹었어? asks back; 비빔밥
    어때? answers)."""
    return "?" in text and not SUGGESTS.search(text)
