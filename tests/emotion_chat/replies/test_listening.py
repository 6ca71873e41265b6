import pytest

from emotion_chat.replies.listening import (
    Said,
    asks_back,
    echoes,
    misfits,
    read_lines,
    strays,
)


@pytest.mark.parametrize(("line", "said", "fits"), [
    # naming someone the person did not mention
    ("선생님이 너만 혼냈어? 억울했겠다", "반 애들이 나만 빼고 단톡방 만들었어", False),
    ("선생님이 너만 혼냈어? 억울했겠다", "선생님이 나만 혼냈어", True),
    # restating an event they did not tell
    ("남이 한 실수를 네 탓으로 돌렸다고? 그건 진짜 억울하다!", "부장님이 주말에 또 일 시킴", False),
    ("너만 빼고 놀러 갔다니 많이 서운했겠다", "친구들이 나 빼고 제주도 갔대", True),
    ("생일을 잊어버렸구나... 서운했겠다", "친구들이 나 빼고 제주도 갔대", False),
    # feelings need no shared word
    ("많이 속상했겠다. 내가 옆에 있을게", "부장님이 주말에 또 일 시킴", True),
    ("많이 힘들었구나. 오늘은 푹 쉬자", "회사 일이 너무 많아", True),
    # a reflection whose cause was not told
    ("집안일을 너만 다 하는 것 같아서 화나는구나", "동생이 내 옷 또 허락없이 입고 나감", False),
    # sharing a setting word (수업) is not enough: most of the event must be theirs
    ("조용한 수업 시간에 배에서 꼬르륵 소리 났구나! 완전 민망했겠다",
     "수업시간에 선생님한테 엄마라고 해버림... 반 애들 다 들었어", False),
])
def test_lines_that_did_not_listen(line, said, fits) -> None:
    (facts,) = read_lines([line])
    assert (misfits(facts, Said.of(said)) == 0) is fits


@pytest.mark.parametrize(("line", "said", "stray"), [
    # a matter they did not raise (milder: ranked lower, not skipped); a suggestion may
    # name one
    ("주말 계획 완전 신나는데? 재밌는 거 잔뜩 하고 와!", "그림 그렸는데 잘 나왔어", 1),
    ("주말 계획 완전 신나는데? 재밌는 거 잔뜩 하고 와!", "주말에 캠핑 가!", 0),
    ("점심은 따끈한 국밥 어때?", "점심 뭐 먹지?", 0),
])
def test_matters_not_raised(line, said, stray) -> None:
    (facts,) = read_lines([line])
    assert strays(facts, Said.of(said)) == stray
    assert misfits(facts, Said.of(said)) == 0


def test_echoes_and_asking_back() -> None:
    assert echoes("넘어져서 다쳤구나") and echoes("고백 성공했다고?") and echoes("점심 뭐 먹었어?")
    assert echoes("많이 힘들구나") and not echoes("어디 아파?")
    assert asks_back("점심 뭐 먹었어?") and not asks_back("비빔밥 어때?")
    assert not asks_back("든든하게 먹자!")
