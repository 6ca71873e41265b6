import pytest

from emotion_chat.personas import PersonaRegistry
from orchestrator.core.rules import Rule, match_rule, rule_line

PERSONAS = PersonaRegistry.load()


@pytest.mark.parametrize("text", ["안녕!", "안녕하세요~", "하이", "반가워요 ㅎㅎ"])
def test_greetings_get_the_persona_greeting(text) -> None:
    assert match_rule(text) is Rule.GREETING
    for persona in PERSONAS:
        assert rule_line(Rule.GREETING, persona, 0) in persona.greetings


@pytest.mark.parametrize("text", ["너 이름이 뭐야?", "넌 누구야", "이름이 뭐예요",
                                  "누구세요?"])
def test_name_questions_get_the_persona_introduction(text) -> None:
    joy = PERSONAS.resolve("joy")
    assert match_rule(text) is Rule.NAME
    assert rule_line(Rule.NAME, joy, 1) in joy.introductions


@pytest.mark.parametrize("text", ["안녕 오늘 너무 슬퍼", "우리 팀장 누구야 진짜",
                                  "이름 바꾸고 싶다"])
def test_other_messages_go_to_the_models(text) -> None:
    assert match_rule(text) is None
