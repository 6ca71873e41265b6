import pytest

from orchestrator.core.policy import (
    Action,
    Answer,
    Pending,
    Thresholds,
    decide,
    read_answer,
    route,
)
from orchestrator.core.rules import Rule
from orchestrator.core.safety import Risk, RiskAssessment
from orchestrator.core.types import DetectedEmotion, DialogueState

SEED = Thresholds(0.8, 0.6)
IDLE, CONFIRM = DialogueState.IDLE, DialogueState.CONFIRM_EMOTION
ANXIOUS = DetectedEmotion("불안", 0.7, (("불안", 0.7),))


@pytest.mark.parametrize(("labels", "multi", "expected"), [
    (4, False, (0.8, 0.6)), (4, True, (0.8, 0.6)), (7, False, (0.5, 0.3)),
    (7, True, (0.8, 0.6)), (58, False, (0.35, 0.2))])
def test_default_thresholds_follow_the_model(labels, multi, expected) -> None:
    t = Thresholds.for_model(labels, multi)
    assert (t.answer, t.confirm) == expected


def test_configured_thresholds_win_and_must_be_ordered() -> None:
    assert Thresholds.for_model(7, answer=0.9, confirm=0.7) == Thresholds(0.9, 0.7)
    with pytest.raises(ValueError, match="above the answer threshold"):
        Thresholds.for_model(7, answer=0.4, confirm=0.6)


@pytest.mark.parametrize(("score", "action"), [
    (0.95, Action.GENERATE), (0.8, Action.GENERATE), (0.7, Action.ASK), (0.6, Action.ASK),
    (0.59, Action.FALLBACK), (None, Action.FALLBACK)])
def test_idle_routing_uses_the_fsm_bot_thresholds(score, action) -> None:
    assert route(score, SEED) is action


def test_idle_asks_to_classify_first_then_routes() -> None:
    first = decide(IDLE, None, "내일 면접이야", None, SEED)
    assert first.action is Action.CLASSIFY
    asked = decide(IDLE, None, "내일 면접이야", ANXIOUS, SEED)
    assert asked.action is Action.ASK and asked.next_state is CONFIRM
    assert asked.pending == Pending("내일 면접이야", ANXIOUS)
    sure = decide(IDLE, None, "내일 면접이야", DetectedEmotion("불안", 0.9), SEED)
    assert (sure.action, sure.next_state, sure.emotion.label) == \
        (Action.GENERATE, IDLE, "불안")
    unsure = decide(IDLE, None, "음", DetectedEmotion("중립", 0.3), SEED)
    assert unsure.action is Action.FALLBACK and not unsure.emotion.known
    assert unsure.detected.label == "중립"  # what was found is still stored
    unknown = decide(IDLE, None, "음", DetectedEmotion(), SEED)
    assert unknown.action is Action.FALLBACK


def test_rules_come_before_the_models_and_can_be_switched_off() -> None:
    greeting = decide(IDLE, None, "안녕!", None, SEED)
    assert (greeting.action, greeting.rule) == (Action.RULE, Rule.GREETING)
    assert decide(IDLE, None, "안녕!", None, SEED, rules=False).action is Action.CLASSIFY


def test_confirm_state_reads_yes_no_or_a_new_message() -> None:
    pending = Pending("내일 면접이야", ANXIOUS)
    yes = decide(CONFIRM, pending, "응 맞아", None, SEED)
    assert (yes.action, yes.text, yes.emotion, yes.next_state, yes.answers_pending) == \
        (Action.GENERATE, "내일 면접이야", ANXIOUS, IDLE, True)
    no = decide(CONFIRM, pending, "아니", None, SEED)
    assert (no.action, no.text, no.answers_pending) == (Action.FALLBACK, "내일 면접이야", True)
    assert not no.emotion.known
    other = decide(CONFIRM, pending, "오늘 저녁 뭐 먹지", None, SEED)
    assert other.action is Action.CLASSIFY  # the question is dropped: a new message
    again = decide(CONFIRM, pending, "오늘 저녁 뭐 먹지", ANXIOUS, SEED)
    # never the same confirm question twice in a row: the bot answers instead
    assert again.action is Action.GENERATE and again.next_state is IDLE


def test_a_correction_is_a_no_plus_a_new_message() -> None:
    pending = Pending("요즘 잠을 못 자", ANXIOUS)
    text = "아니 그게 아니라 고양이가 아파서 걱정된다고"
    first = decide(CONFIRM, pending, text, None, SEED)
    assert (first.action, first.text) == (Action.CLASSIFY, "고양이가 아파서 걱정된다고")
    worried = DetectedEmotion("불안", 0.9)
    answered = decide(CONFIRM, pending, text, worried, SEED)
    assert (answered.action, answered.text, answered.emotion) == \
        (Action.GENERATE, "고양이가 아파서 걱정된다고", worried)
    assert not answered.answers_pending


def test_no_confirm_question_about_calm_or_in_a_sensitive_situation() -> None:
    unsure = DetectedEmotion("슬픔", 0.65)
    assert decide(IDLE, None, "그냥 그래", unsure, SEED).action is Action.ASK
    # "혹시 덤덤한 거야?" is no question worth asking
    assert decide(IDLE, None, "자기 전에 뭐 하면 잠이 잘 와?", DetectedEmotion("중립", 0.65),
                  SEED).action is Action.GENERATE
    # someone whose dog died is answered, not quizzed, even on a low score
    for score in (0.65, 0.1):
        assert decide(IDLE, None, "강아지가 무지개다리 건넜어", DetectedEmotion("슬픔", score),
                      SEED, sensitive=True).action is Action.GENERATE
    assert decide(IDLE, None, "강아지가 무지개다리 건넜어", DetectedEmotion(), SEED,
                  sensitive=True).action is Action.FALLBACK
    # a question is answered, not met with "혹시 마음이 상한 거야?"
    assert decide(IDLE, None, "주말에 볼만한 영화 추천좀", DetectedEmotion("상처", 0.65), SEED,
                  question=True).action is Action.GENERATE


def test_risk_comes_before_everything() -> None:
    crisis = RiskAssessment(Risk.CRISIS, "die")
    for state, pending in ((IDLE, None), (CONFIRM, Pending("잠이 안 와", ANXIOUS))):
        assert decide(state, pending, "안녕... 이제 그만 살고 싶어", None, SEED,
                      risk=crisis).action is Action.CRISIS
    possible = RiskAssessment(Risk.POSSIBLE, "it_should_end")
    assert decide(IDLE, None, "그냥 끝났으면", None, SEED, risk=possible).action is \
        Action.CLASSIFY
    sad = DetectedEmotion("슬픔", 0.7)
    assert decide(IDLE, None, "그냥 끝났으면", sad, SEED, risk=possible).action is Action.CRISIS
    happy = DetectedEmotion("행복", 0.9)
    assert decide(IDLE, None, "이 회의 빨리 끝났으면", happy, SEED,
                  risk=possible).action is Action.GENERATE


@pytest.mark.parametrize(("text", "answer", "rest"), [
    ("응", Answer.YES, ""), ("네 맞아요!", Answer.YES, ""), ("어 그런 것 같아", Answer.YES, ""),
    ("그런 것 같아", Answer.YES, ""), ("ㅇㅇ", Answer.YES, ""),
    ("맞아 진짜 너무 불안해", Answer.YES, ""), ("아니", Answer.NO, ""), ("ㄴㄴ", Answer.NO, ""),
    ("전혀", Answer.NO, ""), ("아니 그냥", Answer.NO, ""),
    ("아니야 그냥 피곤해", Answer.CORRECTION, "그냥 피곤해"),
    ("아니 그게 아니라 고양이가 걱정된다고", Answer.CORRECTION, "고양이가 걱정된다고"),
    ("그게 아니라 회사 때문에 그래", Answer.CORRECTION, "회사 때문에 그래"),
    ("어제 영화 봤어", Answer.OTHER, ""), ("오늘 점심 뭐 먹지", Answer.OTHER, ""),
    ("응 근데 사실 오늘 회사에서 있었던 일이 좀 길어", Answer.OTHER, "")])
def test_yes_no_reading(text, answer, rest) -> None:
    assert read_answer(text) == (answer, rest)
