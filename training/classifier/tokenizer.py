"""Train a BERT WordPiece tokenizer on Korean text (for models trained from scratch).

The vocabulary is learned deterministically (tokenizers' WordPieceTrainer breaks frequency
ties in hash order, so its ids change from run to run): every character in word-initial and
`##` form, then the most frequent adjacent pair is merged, ties broken lexicographically,
until the vocabulary is full. The alphabet is always kept whole, so a vocab_size below
twice the number of distinct characters (plus the specials) yields the alphabet alone.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import BertTokenizerFast

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def learn_wordpiece_vocab(word_counts: Counter[str], vocab_size: int) -> list[str]:
    """Characters (initial and ## forms) + BPE merges, most frequent pair first, ties broken
    lexicographically, until vocab_size entries."""
    words: list[list[str]] = []
    counts: list[int] = []
    for word, count in sorted(word_counts.items()):
        words.append([word[0]] + ["##" + ch for ch in word[1:]])
        counts.append(count)
    chars = {ch for word in word_counts for ch in word}
    vocab = SPECIAL_TOKENS + sorted(chars | {"##" + ch for ch in chars})
    seen = set(vocab)
    pair_count: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, pieces in enumerate(words):
        for a, b in itertools.pairwise(pieces):
            pair_count[(a, b)] += counts[i]
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    while len(vocab) < vocab_size and heap:
        negc, pair = heapq.heappop(heap)
        if negc == 0 or pair_count.get(pair, 0) != -negc:
            continue  # stale heap entry
        a, b = pair
        new = a + b[2:]
        if new not in seen:
            seen.add(new)
            vocab.append(new)
        touched = set()
        for i in sorted(where.pop(pair, ())):
            pieces, c = words[i], counts[i]
            for x, y in itertools.pairwise(pieces):
                pair_count[(x, y)] -= c
                where[(x, y)].discard(i)
                touched.add((x, y))
            merged, j = [], 0
            while j < len(pieces):
                if j + 1 < len(pieces) and pieces[j] == a and pieces[j + 1] == b:
                    merged.append(new)
                    j += 2
                else:
                    merged.append(pieces[j])
                    j += 1
            words[i] = merged
            for x, y in itertools.pairwise(merged):
                pair_count[(x, y)] += c
                where[(x, y)].add(i)
                touched.add((x, y))
        pair_count.pop(pair, None)
        for p in sorted(touched):
            cnt = pair_count.get(p, 0)
            if cnt > 0:
                heapq.heappush(heap, (-cnt, p))
            else:
                pair_count.pop(p, None)
    return vocab


def train_wordpiece(texts: Iterable[str], vocab_size: int = 4000) -> BertTokenizerFast:
    """A cased WordPiece tokenizer like klue/bert-base's ([PAD] = 0), trained on `texts`."""
    # NFC keeps Hangul syllables whole (NFD would split them into jamo).
    normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Strip()])
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    word_counts = Counter(word for text in texts for word, _ in
                          pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    vocab = learn_wordpiece_vocab(word_counts, vocab_size)
    tokenizer = Tokenizer(models.WordPiece(vocab={t: i for i, t in enumerate(vocab)},
                                           unk_token="[UNK]", continuing_subword_prefix="##",
                                           max_input_chars_per_word=100))
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    return BertTokenizerFast(tokenizer_object=tokenizer, do_lower_case=False,
                             unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                             cls_token="[CLS]", mask_token="[MASK]", model_max_length=512)
