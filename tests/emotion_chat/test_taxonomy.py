import pytest

from emotion_chat.taxonomy import (
    AIHUB_SUB_EMOTIONS,
    CORE_LABELS,
    INSIDE_OUT_LABELS,
    SHORT_UTTERANCE_LABELS,
    LabelSet,
    core_emotion,
    embodied_emotion,
    feeling_words,
    label_set,
)


def test_the_58_sub_emotions_are_those_of_the_corpus() -> None:
    assert len(AIHUB_SUB_EMOTIONS) == len(set(AIHUB_SUB_EMOTIONS)) == 58
    assert AIHUB_SUB_EMOTIONS[:3] == ("가난한, 불우한", "감사하는", "걱정스러운")


def test_every_58_way_sub_emotion_has_a_core_emotion() -> None:
    mapped = {label: core_emotion(label) for label in AIHUB_SUB_EMOTIONS}
    assert all(e in CORE_LABELS and e != "중립" for e in mapped.values()), mapped
    assert mapped["배신당한"] == "상처" and mapped["초조한"] == "불안"
    assert mapped["기쁨"] == "행복" and mapped["외로운"] == "슬픔"


def test_core_short_utterance_and_inside_out_labels() -> None:
    assert [core_emotion(e) for e in CORE_LABELS] == list(CORE_LABELS)
    assert [core_emotion(e) for e in INSIDE_OUT_LABELS] == ["분노", "슬픔", "불안", "행복"]
    assert [core_emotion(e) for e in SHORT_UTTERANCE_LABELS] == \
        ["불안", "당황", "분노", "슬픔", "행복", "분노"]
    assert core_emotion("") == core_emotion("모르는 감정") == "중립"
    assert core_emotion("Joy") == "행복"


@pytest.mark.parametrize(("labels", "kind"), [
    (CORE_LABELS, LabelSet.CORE), (tuple(reversed(AIHUB_SUB_EMOTIONS)), LabelSet.AIHUB_58),
    (SHORT_UTTERANCE_LABELS, LabelSet.SHORT_UTTERANCE_6),
    (INSIDE_OUT_LABELS, LabelSet.INSIDE_OUT_4), (("a", "b"), LabelSet.OTHER)])
def test_label_sets_are_recognised(labels, kind) -> None:
    assert label_set(labels) is kind


def test_feelings_and_persona_emotions() -> None:
    assert feeling_words("초조한") == "불안한" and feeling_words("") == "덤덤한"
    assert embodied_emotion("sadness") == "슬픔" and embodied_emotion("") is None
