"""Emotion words and the choice of masked tokens for the masking-BERT paper's masked-LM
pre-training.

The masking-BERT paper continued BERT's masked-LM pre-training with the masked tokens chosen
among sentiment/emotion words rather than at random, so the model spends its prediction
practice on the words that carry a sentence's emotion. This module holds the parts that need
no torch:

* mining emotion words from a labelled table: Kiwi content morphemes ranked per label by a
  smoothed log-odds ratio against the other labels (Monroe et al., 2008, "Fightin' Words":
  log-odds with an informative Dirichlet prior, divided by its standard error, so that rare
  words do not win on one lucky count);
* finding which WordPiece tokens of a sentence belong to those words (character offsets);
* choosing the masked positions: the same budget for both strategies (15 % of a sentence's
  tokens, then BERT's 80/10/10 mask/random/keep), spent first on emotion-word tokens for
  `emotion` masking, so that a comparison of the two differs only in *which* tokens are masked.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from training.tables import LabelledData

CONTENT_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "MAG", "IC", "XR"})
"""Nouns, verb and adjective stems, adverbs, interjections and roots (서운/XR of 서운하다):
the parts of speech that can carry an emotion. Particles and endings carry grammar."""
NEUTRAL_LABELS = ("중립",)
"""Labels whose associated words are topics, not emotions (회의, 점심): not mined by default."""
MASKINGS = ("emotion", "random")
MASK_RATE = 0.15
"""BERT's share of masked tokens; both strategies spend exactly this budget per sentence."""
MASK_SPLIT = (0.8, 0.1)
"""Of the chosen tokens, 80 % become [MASK], 10 % a random token, the rest stay (BERT)."""


@lru_cache(maxsize=65536)
def content_morphemes(text: str) -> tuple[tuple[str, int, int], ...]:
    """(form, start, end) of the content morphemes of `text`; `end` is where the morpheme's
    surface ends, so 슬프 in 슬퍼서 spans 슬퍼. Cached: mining and masking analyse the same
    sentences again for every run of a comparison."""
    from emotion_chat.language.morphs import analyser

    return tuple((t.form, t.start, t.start + t.len) for t in analyser().tokenize(text)
                 if t.tag.split("-")[0] in CONTENT_TAGS)


def association(data: LabelledData, min_count: int = 3,
                prior: float = 100.0) -> dict[str, list[tuple[str, float]]]:
    """Per label, the content words seen in at least `min_count` of its sentences with their
    z-scored log-odds ratio (label vs all other labels), most associated first, positive only.

    Counts are sentence frequencies (a word repeated in one sentence counts once), so one
    emphatic sentence does not make a word an emotion word. `prior` is the total weight of
    the Dirichlet prior, spread over words by their overall frequency.
    """
    per_label: dict[str, Counter[str]] = {label: Counter() for label in data.label_set}
    for text, label in zip(data.texts, data.labels, strict=True):
        per_label[label].update({form for form, _, _ in content_morphemes(text)})
    overall: Counter[str] = Counter()
    for counts in per_label.values():
        overall.update(counts)
    total = sum(overall.values())
    scores: dict[str, list[tuple[str, float]]] = {}
    for label, counts in per_label.items():
        n_label = sum(counts.values())
        n_other = total - n_label
        ranked = []
        for word, y_label in counts.items():
            if y_label < min_count:
                continue
            alpha = prior * overall[word] / total
            y_other = overall[word] - y_label
            delta = (math.log((y_label + alpha) / (n_label + prior - y_label - alpha))
                     - math.log((y_other + alpha) / (n_other + prior - y_other - alpha)))
            z = delta / math.sqrt(1 / (y_label + alpha) + 1 / (y_other + alpha))
            if z > 0:
                ranked.append((word, z))
        ranked.sort(key=lambda item: (-item[1], item[0]))
        scores[label] = ranked
    return scores


def mine_emotion_words(data: LabelledData, top_per_label: int = 60, min_count: int = 3, *,
                       skip_labels: Collection[str] = NEUTRAL_LABELS) -> list[str]:
    """The `top_per_label` words most associated with each emotion label, deduplicated (in
    label order, best first): the lexicon that `emotion` masking masks first."""
    words: dict[str, None] = {}
    for label, ranked in association(data, min_count).items():
        if label in skip_labels:
            continue
        for word, _ in ranked[:top_per_label]:
            words.setdefault(word)
    return list(words)


def read_lexicon(path: Path) -> list[str]:
    """Emotion words from a file: one per line, `#` starts a comment, blanks ignored."""
    words: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.setdefault(word)
    return list(words)


def emotion_spans(text: str, words: Collection[str]) -> list[tuple[int, int]]:
    """Character spans of `text` taken by emotion words.

    Two ways, because a lexicon word is a dictionary form: words of two or more characters
    are found by their surface (행복 in 행복해서, or a multi-morpheme lexicon entry), and
    every word is also found through Kiwi's analysis (좋 in 좋아, 슬프 in 슬퍼). One-character
    words are matched only through the analysis: the surface 나 would also catch the pronoun
    whenever 나(다) of 짜증나다 is a lexicon word.
    """
    spans = []
    for word in words:
        if len(word) < 2:
            continue
        start = text.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    lexicon = words if isinstance(words, (set, frozenset)) else frozenset(words)
    spans.extend((start, end) for form, start, end in content_morphemes(text)
                 if form in lexicon)
    return sorted(set(spans))


def emotion_token_flags(offsets: Sequence[tuple[int, int]],
                        spans: Sequence[tuple[int, int]]) -> list[bool]:
    """For each token (character offsets from a fast tokenizer), whether it belongs to an
    emotion word: it overlaps one of the word's spans. Overlap rather than containment,
    because WordPiece pieces often straddle a stem and its ending (좋아 carries 좋); special
    tokens ((0, 0) offsets) never belong."""
    return [end > start and any(start < s_end and s_start < end for s_start, s_end in spans)
            for start, end in offsets]


def budget(n_tokens: int, rate: float = MASK_RATE) -> int:
    """How many of a sentence's tokens are masked: `rate` of them rounded, at least one."""
    return max(1, math.floor(n_tokens * rate + 0.5)) if n_tokens else 0


def choose_positions(candidates: Sequence[int], emotion: Collection[int], masking: str,
                     rng: random.Random, rate: float = MASK_RATE) -> list[int]:
    """The positions to mask among `candidates` (the sentence's non-special tokens): the same
    budget for both strategies; `emotion` spends it on the emotion-word positions first (a
    random subset when they exceed it), then at random on the others."""
    k = budget(len(candidates), rate)
    if masking == "random":
        chosen = rng.sample(list(candidates), k)
    elif masking == "emotion":
        preferred = [p for p in candidates if p in emotion]
        others = [p for p in candidates if p not in emotion]
        rng.shuffle(preferred)
        chosen = preferred[:k]
        chosen += rng.sample(others, k - len(chosen))
    else:
        raise ValueError(f"unknown masking {masking!r} (choose from {', '.join(MASKINGS)})")
    return sorted(chosen)


def mask_sentence(ids: Sequence[int], maskable: Sequence[bool], emotion: Sequence[bool],
                  masking: str, rng: random.Random, mask_id: int,
                  replacements: Sequence[int], rate: float = MASK_RATE
                  ) -> tuple[list[int], list[int], int]:
    """Masked input ids, labels (-100 where not chosen) and how many chosen tokens were
    emotion-word tokens, for one tokenized sentence (BERT's 80/10/10 on the chosen ones)."""
    candidates = [i for i, ok in enumerate(maskable) if ok]
    emotion_positions = {i for i in candidates if emotion[i]}
    chosen = choose_positions(candidates, emotion_positions, masking, rng, rate)
    masked, labels = list(ids), [-100] * len(ids)
    for position in chosen:
        labels[position] = ids[position]
        draw = rng.random()
        if draw < MASK_SPLIT[0]:
            masked[position] = mask_id
        elif draw < MASK_SPLIT[0] + MASK_SPLIT[1]:
            masked[position] = rng.choice(replacements)
    return masked, labels, sum(p in emotion_positions for p in chosen)


def lexicon_coverage(texts: Iterable[str], words: Collection[str]) -> float:
    """Share of `texts` with at least one emotion word (a sanity number for a lexicon)."""
    texts = list(texts)
    lexicon = frozenset(words)
    return sum(bool(emotion_spans(t, lexicon)) for t in texts) / max(len(texts), 1)
