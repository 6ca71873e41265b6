from collections import Counter

from training.classifier.tokenizer import (
    SPECIAL_TOKENS,
    learn_wordpiece_vocab,
    train_wordpiece,
)
from training.demo import DATASET
from training.tables import read_table


def test_merges_most_frequent_pair_first_with_lexicographic_ties() -> None:
    vocab = learn_wordpiece_vocab(Counter({"ab": 3, "cd": 3, "ef": 1}), vocab_size=18)
    assert vocab[:5] == SPECIAL_TOKENS
    # 5 specials + 6 characters in two forms = 17; the 18th entry is the first merge:
    # (a, ##b) and (c, ##d) both occur 3 times, a sorts first.
    assert vocab[17:] == ["ab"]


def test_vocabulary_is_identical_across_runs_and_segments_korean() -> None:
    data, _ = read_table(DATASET)
    first = train_wordpiece(data.texts, vocab_size=3000)
    second = train_wordpiece(list(reversed(data.texts)), vocab_size=3000)
    assert first.get_vocab() == second.get_vocab()
    # Every character is kept in both forms, whatever vocab_size asks for.
    assert len(train_wordpiece(data.texts[:50], vocab_size=10)) > 10
    assert len(first) == 3000 and first.pad_token_id == 0
    tokens = first.tokenize("오늘 시험 끝나서 너무 행복해!")
    assert "[UNK]" not in tokens and tokens[-1] == "!"
    assert "".join(t.removeprefix("##") for t in tokens) == "오늘시험끝나서너무행복해!"
    encoded = first("행복해")["input_ids"]
    assert encoded[0] == first.cls_token_id and encoded[-1] == first.sep_token_id
