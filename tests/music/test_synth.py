import numpy as np
import pytest

from emotion_chat.taxonomy import CORE_LABELS
from music.synth import EMOTIONS, synthesize, title


def test_every_core_emotion_has_music() -> None:
    assert set(EMOTIONS) == set(CORE_LABELS)


def test_clips_are_deterministic_bounded_and_distinct() -> None:
    a = synthesize("슬픔", 3, seconds=6.0)
    assert a.dtype == np.float32 and len(a) == 6 * 22050
    assert np.array_equal(a, synthesize("슬픔", 3, seconds=6.0))
    assert np.abs(a).max() <= 1.0 and np.abs(a).max() > 0.05
    assert not np.array_equal(a, synthesize("슬픔", 4, seconds=6.0))
    assert not np.array_equal(a, synthesize("슬픔", 3, seed=1, seconds=6.0))


def test_titles_are_korean_and_unique_within_an_emotion() -> None:
    titles = [title("행복", i) for i in range(200)]
    assert len(set(titles)) == 200
    assert all(any("가" <= ch <= "힣" for ch in t) for t in titles)


def test_an_unknown_emotion_is_named() -> None:
    with pytest.raises(ValueError, match="몽글몽글"):
        synthesize("몽글몽글", 0)
