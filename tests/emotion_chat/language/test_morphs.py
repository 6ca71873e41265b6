from emotion_chat.language.morphs import analyse


def test_analysis_views() -> None:
    a = analyse("키우던 강아지가 아파서 걱정돼")
    assert "강아지" in a.nouns and "키우" in a.stems
    assert " 강아지/NNG 가/JKS " in a.rendered
    assert not a.is_question


def test_questions_with_and_without_a_question_mark() -> None:
    assert analyse("내일 비 온대?").is_question
    assert analyse("점심 뭐 먹을까").is_question
    assert not analyse("배고파 죽겠어").is_question
    # asking for something is a question too
    assert analyse("저녁에 먹을 만한 요리 추천해줘").is_question
    assert analyse("잠 잘 오는 방법 좀 알려 줘").is_question
