import pytest

from orchestrator.policy import Action, Answer, Thresholds, read_answer, route


@pytest.mark.parametrize(("labels", "expected"), [
    (4, (0.8, 0.6)), (7, (0.5, 0.3)), (58, (0.35, 0.2))])
def test_default_thresholds_follow_the_label_count(labels, expected) -> None:
    t = Thresholds.for_labels(labels)
    assert (t.answer, t.confirm) == expected


def test_configured_thresholds_win_and_must_be_ordered() -> None:
    assert Thresholds.for_labels(7, answer=0.9, confirm=0.7) == Thresholds(0.9, 0.7)
    with pytest.raises(ValueError, match="above the answer threshold"):
        Thresholds.for_labels(7, answer=0.4, confirm=0.6)


@pytest.mark.parametrize(("score", "action"), [
    (0.95, Action.GENERATE), (0.8, Action.GENERATE), (0.7, Action.ASK), (0.6, Action.ASK),
    (0.59, Action.FALLBACK), (None, Action.FALLBACK)])
def test_idle_routing_uses_the_seed_thresholds(score, action) -> None:
    assert route(score, Thresholds(0.8, 0.6)) is action


@pytest.mark.parametrize(("text", "answer"), [
    ("응", Answer.YES), ("네 맞아요!", Answer.YES), ("어 그런 것 같아", Answer.YES),
    ("그런 것 같아", Answer.YES), ("ㅇㅇ", Answer.YES), ("맞아 진짜 너무 불안해", Answer.YES),
    ("아니", Answer.NO), ("아니야 그냥 피곤해", Answer.NO), ("ㄴㄴ", Answer.NO),
    ("전혀", Answer.NO),
    ("어제 영화 봤어", Answer.OTHER), ("오늘 점심 뭐 먹지", Answer.OTHER),
    ("응 근데 사실 오늘 회사에서 있었던 일이 좀 길어", Answer.OTHER)])
def test_yes_no_reading(text, answer) -> None:
    assert read_answer(text) is answer
