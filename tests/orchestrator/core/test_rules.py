import pytest

from emotion_chat.personas import PersonaRegistry
from orchestrator.core.rules import Rule, match_rule, rule_line

PERSONAS = PersonaRegistry.load()

GREETINGS = [
    "안녕", "안녕!", "안녕하세요", "안녕하세요~", "안녕하세여", "안녕하십니까", "안뇽", "안녕안녕",
    "안녕~~ ㅎㅎ", "하이", "하이루", "하이요", "하잉", "ㅎㅇ", "ㅎㅇㅎㅇ", "hi", "Hello!", "hey",
    "헬로", "헬로우", "헤이", "반가워", "반가워요 ㅎㅎ", "반갑습니다", "방가방가", "좋은 아침",
    "좋은 아침이야!", "좋은 저녁이에요", "굿모닝", "처음 뵙겠습니다", "안녕 반가워", "오랜만이야",
    "잘 지냈어?", "빙봉아 안녕", "안녕 빙봉", "기쁨아 안녕!", "버럭이 안녕", "안녕 친구",
    "나 왔어", "여보세요?",
]
NAME_QUESTIONS = [
    "너 이름이 뭐야?", "너는 이름이 뭐야?", "넌 이름이 뭐니", "이름이 뭐예요", "이름 뭐야",
    "네 이름은 뭐야", "이름이 뭐니?", "이름 알려줘", "네 이름 알려 줄래?", "이름 좀 알려줘",
    "이름이 어떻게 돼?", "성함이 어떻게 되세요?", "당신의 이름은 무엇인가요", "너 이름 궁금해",
    "넌 누구야", "너 누구니", "누구세요?", "누구야?", "당신은 누구세요", "너는 누구지",
    "누구신가요", "넌 누구냐", "너 정체가 뭐야", "정체가 뭐야?", "자기소개 해줘",
    "자기소개 좀 해 줄래?", "너를 뭐라고 불러야 해?", "뭐라고 부르면 돼?", "Who are you?",
    "what's your name", "너 뭐하는 애야", "안녕 넌 뭐 하는 애야?", "안녕하세요 이름이 뭐예요?",
    "하이 너 누구야", "안녕하세요 처음 써봐요 이거 어떻게 쓰는거예요?", "너 뭐 할 수 있어?",
    "근데 너 AI야 아니면 뒤에 사람 있는거야?", "넌 사람이야?",
]
NEITHER = [
    "안녕 오늘 너무 슬퍼", "우리 팀장 누구야 진짜", "이름 바꾸고 싶다", "친구 이름이 뭐였지",
    "안녕히 계세요 하고 나왔는데 눈물 났어", "하이킹 가고 싶다", "반가운 소식이 있어",
    "좋은 아침 먹었어", "누구 편도 들고 싶지 않아", "헤어졌어", "엑셀 어떻게 써?",
    "세탁기 사용법 알려줘", "너 사람 맞아? 어떻게 그런 말을 해",
]


@pytest.mark.parametrize("text", GREETINGS)
def test_greetings_in_their_common_variants(text) -> None:
    assert match_rule(text) is Rule.GREETING


@pytest.mark.parametrize("text", NAME_QUESTIONS)
def test_name_questions_in_their_common_variants(text) -> None:
    assert match_rule(text) is Rule.NAME


@pytest.mark.parametrize("text", NEITHER)
def test_other_messages_go_to_the_models(text) -> None:
    assert match_rule(text) is None


def test_the_rules_have_many_phrasings_each() -> None:
    assert len(GREETINGS) >= 30 and len(NAME_QUESTIONS) >= 30


def test_every_persona_answers_in_its_own_lines() -> None:
    for persona in PERSONAS:
        assert rule_line(Rule.GREETING, persona, 0) in persona.greetings
        assert rule_line(Rule.NAME, persona, 1) in persona.introductions
