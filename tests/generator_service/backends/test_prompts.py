from emotion_chat.personas import PersonaRegistry
from generator_service.backends.base import GenerationInput, HistoryTurn
from generator_service.backends.prompts import kogpt2_prompt


def test_kogpt2_prompt_follows_the_chatbot_convention() -> None:
    persona = PersonaRegistry.load().resolve("joy")
    request = GenerationInput(
        history=(HistoryTurn("user", "안녕", "중립"), HistoryTurn("assistant", "안녕!"),
                 HistoryTurn("user", "나 배신당했어", "배신당한")),
        text="시험 붙었어!", emotion="기쁨", reply_emotion="행복", emotion_score=0.9,
        persona=persona, max_new_tokens=32, temperature=0.8, top_p=0.9, seed=None,
        conversation_id="")
    assert kogpt2_prompt(request) == (
        "<d>기쁨</d>"
        "<usr>안녕<unused1>중립<sys>안녕!</s>"
        "<usr>나 배신당했어<unused1>상처</s>"
        "<usr>시험 붙었어!<unused1>행복<sys>")
