from collections import Counter

from training.demo import DATASET, LABELS
from training.tables import read_table


def test_shipped_dataset_has_100_distinct_sentences_per_label() -> None:
    data, report = read_table(DATASET)
    assert report.dropped_missing == 0 and report.dropped_duplicates == 0
    counts = Counter(data.labels)
    assert set(counts) == set(LABELS)
    assert min(counts.values()) >= 100


def test_dataset_mixes_lengths_and_speech_levels() -> None:
    data, _ = read_table(DATASET)
    lengths = [len(t) for t in data.texts]
    assert sum(n <= 12 for n in lengths) > 150 and sum(n > 40 for n in lengths) > 150
    polite = sum(t.rstrip(".!?~ㅠㅜㅎㅋ ").endswith(("요", "다", "까")) for t in data.texts)
    assert 0.2 < polite / len(data.texts) < 0.8
