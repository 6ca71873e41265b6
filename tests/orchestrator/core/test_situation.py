from emotion_chat.situations import Situation
from emotion_chat.situations.detect import Topic
from orchestrator.core.chat import carried_topic
from orchestrator.core.conversation import ConversationState
from orchestrator.core.situation import fitting_emotion
from orchestrator.core.types import DetectedEmotion

S = Situation


def test_a_topic_carries_over_to_the_next_turns() -> None:
    cat = ConversationState(total_turns=1, situation="pet", who="고양이", topic_turn=0)
    assert carried_topic(Topic(), cat) == Topic(S.PET, "고양이")
    # "걱정돼서 잠이 안 와" after a sick cat is still about the cat
    assert carried_topic(Topic(S.SLEEP), cat) == Topic(S.PET, "고양이")
    assert carried_topic(Topic(S.FOOD, what="점심"), cat) == Topic(S.FOOD, what="점심")
    stale = ConversationState(total_turns=9, situation="pet", who="고양이", topic_turn=0)
    assert carried_topic(Topic(), stale) == Topic()


def test_a_calm_reading_of_a_painful_situation_is_not_answered_as_calm() -> None:
    happy = DetectedEmotion("행복", 0.37, (("행복", 0.37), ("슬픔", 0.3), ("중립", 0.2)))
    # the pet that died is answered with the best fitting candidate
    assert fitting_emotion(happy, S.PET_LOSS) == DetectedEmotion("슬픔", 0.3, happy.top)
    # none fits: the situation's most likely emotion
    calm = DetectedEmotion("중립", 0.84, (("중립", 0.84), ("행복", 0.1)))
    assert fitting_emotion(calm, S.JOB_LOSS).label == "슬픔"
    # a happy sore back is not a thing; a happy lunch is
    assert fitting_emotion(happy, S.HEALTH).label == "슬픔"
    assert fitting_emotion(happy, S.FOOD) == happy
    # in a sensitive situation any emotion it does not show is replaced: a friend who died
    # read as 당황 is answered in sadness
    flustered = DetectedEmotion("당황", 0.5, (("당황", 0.5), ("상처", 0.2), ("슬픔", 0.1)))
    assert fitting_emotion(flustered, S.BEREAVEMENT) == DetectedEmotion("상처", 0.2,
                                                                        flustered.top)
    # elsewhere negative readings are the classifier's call: anger at a colleague stays
    angry = DetectedEmotion("분노", 0.6, (("분노", 0.6), ("불안", 0.2)))
    assert fitting_emotion(angry, S.FRIENDS) == angry
    assert fitting_emotion(DetectedEmotion("당황", 0.9), S.SLEEP).label == "당황"
    assert fitting_emotion(happy, None) == happy
    assert fitting_emotion(DetectedEmotion(), S.PET_LOSS) == DetectedEmotion()
