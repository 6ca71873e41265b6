from benchmarks.models import SUB_EMOTIONS_58
from generator_service.emotions import REPLY_EMOTIONS, reply_emotion


def test_every_58_way_sub_emotion_has_a_reply_emotion() -> None:
    mapped = {label: reply_emotion(label) for label in SUB_EMOTIONS_58}
    assert all(e in REPLY_EMOTIONS and e != "중립" for e in mapped.values()), mapped
    assert mapped["배신당한"] == "상처" and mapped["초조한"] == "불안"


def test_demo_and_inside_out_labels() -> None:
    assert [reply_emotion(e) for e in REPLY_EMOTIONS] == list(REPLY_EMOTIONS)
    assert [reply_emotion(e) for e in ("기쁨", "분노", "슬픔", "불안")] == \
        ["행복", "분노", "슬픔", "불안"]
    assert reply_emotion("") == reply_emotion("모르는 감정") == "중립"
