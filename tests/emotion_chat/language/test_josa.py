import pytest

from emotion_chat.language.josa import attach


@pytest.mark.parametrize(("word", "particle", "expected"), [
    ("엄마", "이", "엄마가"), ("강아지", "을", "강아지를"), ("할머니", "은", "할머니는"),
    ("면접", "이", "면접이"), ("시험", "를", "시험을"), ("팀장님", "과", "팀장님과"),
    ("서울", "으로", "서울로"), ("집", "으로", "집으로"), ("민수", "아", "민수야"),
    ("지훈", "아", "지훈아"), ("남친", "이랑", "남친이랑"), ("친구", "이랑", "친구랑"),
    ("ABC", "이", "ABC가"), ("초코", "", "초코")])
def test_particles_agree_with_the_word(word, particle, expected) -> None:
    assert attach(word, particle) == expected


def test_unknown_particles_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown particle"):
        attach("엄마", "에게")
