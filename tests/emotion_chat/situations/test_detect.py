import pytest

from emotion_chat.language.morphs import analyse
from emotion_chat.situations import Situation
from emotion_chat.situations.detect import Topic, detect

S = Situation


@pytest.mark.parametrize(("text", "situation", "who", "what"), [
    ("우리 엄마가 암 진단을 받았어", S.ILLNESS, "엄마", ""),
    ("할머니 돌아가신 지 1년 됐는데 아직도 너무 보고 싶어", S.BEREAVEMENT, "할머니", ""),
    ("키우던 강아지가 무지개다리를 건넜어", S.PET_LOSS, "강아지", ""),
    ("고양이가 죽었어", S.PET_LOSS, "고양이", ""),
    ("고양이가 아파서 걱정돼", S.PET, "고양이", ""),
    ("이번 달 카드값 어떻게 막지… 통장 잔고가 바닥이야", S.MONEY, "", "카드값"),
    ("오늘 점심 뭐 먹지?", S.FOOD, "", "점심"),
    ("내일 비 온대?", S.WEATHER, "", ""),
    ("팀장님이 또 야근 시켰어", S.WORK, "팀장님", "야근"),
    ("남친이랑 헤어졌어", S.BREAKUP, "남친", ""),
    ("내일 면접인데 떨려", S.JOB_SEARCH, "", "면접"),
    ("택배가 또 분실됐대", S.DAILY_HASSLE, "", "택배"),
    ("회사에서 잘렸어", S.JOB_LOSS, "", ""),
    ("요즘 너무 외로워", S.LONELINESS, "", ""),
    ("합격했어!!", S.SUCCESS, "", ""),
    ("핸드폰 배터리가 죽었어", S.DAILY_HASSLE, "", "핸드폰"),
    # Kiwi splits these nouns; the listed whole is found (카드 + 값, 권고 + 사직)
    ("이번 달 카드값이 월급보다 더 나옴ㅋㅋ", S.MONEY, "", "카드값"),
    ("10년 다닌 회사에서 권고사직 당했습니다. 아내한테 뭐라고 하지", S.JOB_LOSS, "", ""),
    # the most cues win, a sensitive situation's counting double
    ("주식으로 결혼자금 절반 날렸어요.. 예비 신부한테 말도 못 했어요", S.MONEY, "", ""),
    ("허리디스크래.. 좋아하던 배드민턴 당분간 못 친대", S.HEALTH, "", ""),
    ("한 달 동안 준비한 시험인데 망했어", S.EXAM, "", "시험"),
    ("강아지 산책하다가 큰 개한테 물렸어요 지금 병원 가는 중", S.ACCIDENT, "", ""),
    ("승진했어요! 입사 5년 만에 드디어 과장 달았습니다", S.SUCCESS, "", ""),
    # words with two senses: 눈 (eyes, snow), 혼자, 애, 보내다, 죽었다
    ("요즘 누우면 새벽 4시까지 눈이 말똥말똥해요", S.SLEEP, "", ""),
    ("눈이 펑펑 와", S.WEATHER, "", ""),
    ("오늘 몇 도예요? 패딩 입어야 하나", S.WEATHER, "", ""),
    ("저녁에 혼자 먹을 만한 간단한 요리 추천해줘", S.FOOD, "", "저녁"),
    ("제일 친한 친구한테만 말한 비밀을 걔가 다른 애들한테 다 말했더라", S.FRIENDS, "친구", ""),
    ("실수로 단톡방에 전 애인 욕 보냄.. 거기 걔 친구도 있는데", S.FRIENDS, "친구", ""),
    ("친구 때문에 웃겨 죽었어ㅋㅋ", S.FRIENDS, "친구", ""),
    ("친구가 어제 죽었어", S.BEREAVEMENT, "친구", ""),
    ("장례식 다녀왔어", S.BEREAVEMENT, "", ""),
    ("우리 강아지 떠나보내고 왔어", S.PET_LOSS, "강아지", ""),
    ("남친이 내 생일 까먹었어", S.LOVE, "남친", ""),
    # a pet known by its name, through what it left; a husband who "went first"
    ("나비 보내고 나서 빈 밥그릇을 못 치우겠어 ㅠㅠ", S.PET_LOSS, "", ""),
    ("영감 먼저 가고 자식들은 다 바쁘고 적적하네", S.BEREAVEMENT, "영감", ""),
    ("친구가 먼저 가버려서 혼자 집에 옴", S.FRIENDS, "친구", ""),
    # 욕먹다 is not a meal; 반쯤 is not a class; Kiwi's odd split of 카드값
    ("나이트 3연속하고 보호자한테 욕까지 먹었어요", None, "", ""),
    ("요즘 뜨개질 시작했는데 목도리 반쯤 떴어요", S.HOBBY, "", ""),
    ("같은 반 친구가 전학 감", S.SCHOOL, "", ""),
    ("카드값 막으려고 현금서비스 받았는데", S.MONEY, "", "카드값"),
])
def test_situations_and_what_they_name(text, situation, who, what) -> None:
    assert detect(analyse(text)) == (Topic(situation, who, what) if situation else Topic())


def test_nothing_found_is_no_situation() -> None:
    assert detect(analyse("그냥 그래")).situation is None
