import asyncio

import pytest

from classifier_service.batching.items import Priority, QueuedText
from classifier_service.batching.selection import select_batch
from classifier_service.tokenization import EncodedText


@pytest.fixture
def make():
    loop = asyncio.new_event_loop()

    def make(length: int, priority: Priority = Priority.INTERACTIVE) -> QueuedText:
        encoded = EncodedText([1] * length, [0] * length, truncated=False)
        return QueuedText(encoded, loop.create_future(), 0.0, priority=priority)

    yield make
    loop.close()


def test_oldest_goes_first_with_the_closest_lengths(make) -> None:
    texts = [make(10), make(50), make(12), make(9), make(48), make(11)]
    batch = select_batch(texts, max_batch_size=3, max_batch_tokens=10_000)
    assert batch[0] is texts[0]
    assert sorted(t.length for t in batch) == [9, 10, 11]


def test_token_budget_counts_padding(make) -> None:
    texts = [make(10), make(40), make(10), make(10)]
    # 3 × 10 = 30 fits; adding the 40-token text would make 4 × 40 = 160 > 100.
    batch = select_batch(texts, max_batch_size=8, max_batch_tokens=100)
    assert [t.length for t in batch] == [10, 10, 10]


def test_anchor_alone_may_exceed_the_budget(make) -> None:
    texts = [make(128), make(5)]
    assert select_batch(texts, max_batch_size=8, max_batch_tokens=64) == [texts[0]]


def test_interactive_overtakes_bulk(make) -> None:
    bulk = [make(10, Priority.BULK) for _ in range(4)]
    urgent = make(30)
    batch = select_batch([*bulk, urgent], max_batch_size=2, max_batch_tokens=10_000)
    assert batch[0] is urgent
    assert batch[1] is bulk[0]


def test_every_text_is_served_eventually(make) -> None:
    waiting = [make(n) for n in (5, 100, 6, 7, 90, 5, 8, 95, 6)]
    served = []
    while waiting:
        batch = select_batch(waiting, max_batch_size=3, max_batch_tokens=400)
        served.extend(batch)
        waiting = [t for t in waiting if t not in batch]
    assert len(served) == 9


def test_padding_ratio_keeps_mismatched_lengths_apart(make) -> None:
    texts = [make(10), make(30), make(9), make(11)]
    batch = select_batch(texts, max_batch_size=8, max_batch_tokens=10_000,
                         max_padding_ratio=0.2)
    # 10, 9, 11 pad 3 of 33 tokens (9%); adding 30 would pad 60 of 120 (50%).
    assert sorted(t.length for t in batch) == [9, 10, 11]
    loose = select_batch(texts, max_batch_size=8, max_batch_tokens=10_000)
    assert len(loose) == 4
