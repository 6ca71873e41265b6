"""The words that tell a message's situation (the detector is detect.py).

A word is a noun or a verb/adjective stem as Kiwi gives it (강아지, 헤어지, 외롭); a word that
ends in `/TAG` only counts with that tag (물리/VV is being bitten, not physics). Nouns Kiwi
splits are joined back when the joined word is listed (카드 + 값 → 카드값). Phrases that words
cannot tell (눈이 와 is snow, 눈이 말똥말똥 is eyes) are regular expressions over the
rendered morphemes (` form/TAG form/TAG `).
"""

from __future__ import annotations

import re

from emotion_chat.situations import Situation

S = Situation


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PETS = words("강아지 고양이 댕댕이 멍멍이 냥이 반려견 반려묘 반려동물 햄스터 토끼 앵무새 "
             "거북이 고슴도치 금붕어 물고기 개/NNG 애완견 애완동물 말티즈 푸들 시바 코숏 "
             "페럿 기니피그 포메 비숑 치와와 리트리버 진돗개 집사")
# 애 (a child, but also 반 애들: classmates) and 자기 (oneself, honey) are left out.
FAMILY = words("엄마 어머니 아빠 아버지 할머니 할아버지 외할머니 외할아버지 동생 언니 오빠 누나 "
               "형 남편 아내 와이프 딸 아들 아이 이모 고모 삼촌 큰아버지 작은아버지 부모 "
               "부모님 시어머니 장모님 장인어른 사촌 조카 손녀 손자 가족 엄빠 어무니 아부지 "
               "어머님 아버님 친정 시댁")
FRIENDS = words("친구 절친 베프 동기 룸메 룸메이트 단짝 친구들 동창 찐친")
PARTNERS = words("남자친구 여자친구 남친 여친 애인 썸남 썸녀 전남친 전여친 전애인 연인 "
                 "남편 아내 예비신부 예비신랑 신부 신랑 약혼자 영감 할멈 마누라 집사람 "
                 "바깥양반")
WORKERS = words("팀장 부장 과장 차장 대리 사장 상사 동료 선배 후배 실장 본부장 이사 매니저 "
                "점장 사수")

# Death: for a person only unmistakable words (돌아가시다, 장례...); 보내다, 떠나다 and 잃다
# say it of a pet, but of a person they are as often a message sent or a trip.
_INTENSIFIER = r"(?<!/EC)"  # 웃겨 죽었어: 죽다 after -어 is an intensifier, not a death
MOURNING = re.compile(
    r" (?:돌아가/VV (?:시|셨)/EP|"
    r"하늘나라/NNG|장례/NNG|장례식/NNG|기일/NNG|사망/NNG|별세/NNG|빈소/NNG|"
    r"납골당/NNG|추모/NNG|49재/NNG|발인/NNG|영정/NNG|임종/NNG|부고/NNG|고인/NNG|"
    r"조문/NNG|세상/NNG (?:을/JKO )?떠나/VV)")
"""Words that say someone died whoever is named (돌아가셨어 needs no 엄마)."""
DIED = re.compile(_INTENSIFIER + r" 죽/VV (?:었|였|었었)/EP")
"""죽었다: a death when a person is named (a phone's battery dies too)."""
DEATH_OF_PET = re.compile(
    _INTENSIFIER + r" 죽/VV| (?:떠나/VV|떠나보내/VV|보내/VV|잃/VV|무지개다리/NNG|"
    r"무지개/NNG 다리/NNG|하늘나라/NNG|장례/NNG|안락사/NNG|화장/NNG)")
PET_THINGS = words("밥그릇 사료 목줄 산책줄 켄넬 방석 츄르 간식그릇 장난감")
"""What a pet leaves behind: with a death or a parting, a pet known by its name (나비 보내고
빈 밥그릇을 못 치우겠어) has died."""
GONE_FIRST = re.compile(r" 먼저/MAG (?:\S+ ){0,2}(?:가/VV|떠나/VV)")
MISSING = ("적적", "외롭", "외로", "쓸쓸", "그립", "그리워", "보고 싶", "보고싶", "허전", "빈자리")
"""먼저 가다 said of someone named, with a word of missing them (영감 먼저 가고 ... 적적하네):
they died; without one it is leaving early (친구가 먼저 가버려서)."""
RAINBOW_BRIDGE = re.compile(r" 무지개/NNG 다리/NNG | 무지개다리/NNG ")

SERIOUS = words("암 유방암 위암 폐암 대장암 간암 췌장암 갑상선암 진단 수술 입원 항암 투병 종양 "
                "응급실 중환자실 치매 뇌졸중 중환자 병실 요양병원 말기 재발 전이 백혈병 심장병 "
                "치료 재검 재검사 조직검사 간병 병간호 시한부 투석 혹 파킨슨 뇌경색 심근경색 "
                "건강검진")
# 병원 is here, not with serious illness: people go to hospital for a cold or a bite.
MINOR = words("감기 두통 몸살 배탈 기침 콧물 열 허리 어깨 편두통 알레르기 비염 치통 장염 "
              "소화 위염 목감기 근육통 허리디스크 디스크 생리통 병원 약 독감 코로나 아프 "
              "체하 붓 여드름 피부 탈모")
ACCIDENT = words("사고 교통사고 접촉사고 넘어지 다치 골절 부러지 깁스 추돌 치이 화상 "
                 "응급 구급차 미끄러지 낙상 물리/VV 박/VV 뺑소니 인대")
BREAKUP = words("헤어지 이별 차이 차였 이혼 파혼 잠수 환승 헤어짐 헤어졌 이별통보")
LOVE = words("연애 썸 고백 데이트 사귀 소개팅 짝사랑 설레 결혼 프러포즈 기념일 "
             "커플") | PARTNERS
JOB_LOSS = words("해고 잘리 짤리 권고사직 사직 실직 구조조정 폐업 정리해고 퇴사당하 잘렸 백수 "
                 "실업급여 계약만료 희망퇴직 부도")
WORK = words("회사 출근 퇴근 야근 업무 회의 직장 보고서 결재 프로젝트 월급 연봉 사무실 "
             "출장 근무 알바 손님 진상 회식 칼퇴 탕비실 주말출근 실적 인사고과") | WORKERS
JOB_SEARCH = words("면접 취업 취준 이력서 자소서 서류 구직 채용 공채 인턴 지원서 탈락 "
                   "합격자 최종 취준생 자기소개서 최종합격 서류합격")
EXAM = words("시험 성적 수능 학점 기말 중간고사 기말고사 자격증 토익 모의고사 점수 "
             "내신 재수 고시 공무원 필기 실기 임용 수험 공시 시험공부")
SCHOOL = words("학교 수업 과제 숙제 교수 교수님 선생님 학원 방학 개강 졸업 발표 팀플 교실 담임 "
               "수행평가 강의 등교 학생 급식 동아리 왕따 조별과제 학기 전학")
MONEY = words("돈 카드값 대출 빚 월세 전세 통장 잔고 적자 이자 생활비 관리비 등록금 "
              "학자금 연체 파산 할부 신용카드 대출금 빌리 갚 공과금 월급날 마이너스 "
              "보증금 사채 주식 코인 투자 자금 손실 전세사기 가계부 집주인")
FRIENDS_WORDS = FRIENDS | words("우정 손절 단톡 단톡방 모임")
FAMILY_WORDS = FAMILY | words("명절 제사 효도 집안")
# 혼자 is left out: 혼자 먹을 요리 is not loneliness.
LONELY = words("외롭 외로움 쓸쓸 고독 소외 투명인간 외톨이")
SLEEP = words("잠 불면 불면증 밤새 새벽 졸리 악몽 수면 잠들 피곤 지치 깨/VV 눕 뒤척이 "
              "말똥말똥")
# 눈 is eyes as often as snow: snow is a phrase below.
WEATHER = words("날씨 비/NNG 덥 춥 장마 햇살 바람 태풍 미세먼지 우산 더위 추위 소나기 "
                "폭염 한파 맑 흐리 패딩 롱패딩 기온 영하 체감온도 일교차 폭설 첫눈 눈사람")
# 아침 and 저녁 are left out: they say when as often as what was eaten.
FOOD = words("밥 점심 야식 치킨 라면 맛집 배고프 디저트 커피 메뉴 먹 배달 떡볶이 피자 "
             "김치찌개 간식 음식 요리 국밥 짜장면 삼겹살 케이크 빵 마라탕 레시피 식당 "
             "저녁밥 아침밥 점심밥 도시락 반찬")
HOBBY = words("게임 영화 음악 노래 드라마 여행 운동 헬스 축구 야구 농구 독서 책 그림 "
              "캠핑 등산 요가 콘서트 공연 넷플릭스 유튜브 웹툰 낚시 자전거 주말 휴가 "
              "취미 덕질 러닝 수영 뮤지컬 배드민턴 테니스 골프 볼링 피아노 마라톤 완주 "
              "전시회 뜨개질 사진")
SUCCESS = words("합격 붙 승진 당첨 성공 우승 수상 통과 칭찬 상/NNG 장학금 뽑히 해내 달성 "
                "자랑")
HASSLE = words("택배 배송 버스 지하철 택시 핸드폰 휴대폰 폰 지갑 분실 고장 지각 엘리베이터 "
               "주차 층간소음 와이파이 노트북 잃어버리 놓치 막히 교통체증 환불 AS 새치기")

PHRASES: dict[Situation, re.Pattern[str]] = {
    # 반 is a class only with its people or place (반 애들, 같은 반, 우리 반), not 반쯤
    S.SCHOOL: re.compile(r" 반/NNG (?:애/NNG|애들/NNG|친구/NNG|아이/NNG|에서/JKB|분위기/NNG)"
                         r"| (?:같/VA 은/ETM|우리/NP|옆/NNG) 반/NNG "),
    S.WEATHER: re.compile(r" 눈/NNG (?:이/JKS |도/JX )?(?:\S+/MAG )?(?:오/VV|내리/VV|쌓이/VV)"
                          r"| 몇/NR 도/NNB | 비/NNG (?:가/JKS )?오/VV "),
}

CUES: dict[Situation, frozenset[str]] = {
    S.ILLNESS: SERIOUS, S.ACCIDENT: ACCIDENT, S.BREAKUP: BREAKUP, S.JOB_LOSS: JOB_LOSS,
    S.MONEY: MONEY, S.LONELINESS: LONELY, S.JOB_SEARCH: JOB_SEARCH, S.EXAM: EXAM,
    S.SUCCESS: SUCCESS, S.WORK: WORK, S.SCHOOL: SCHOOL, S.LOVE: LOVE,
    S.FAMILY: FAMILY_WORDS, S.FRIENDS: FRIENDS_WORDS, S.PET: PETS, S.HEALTH: MINOR,
    S.SLEEP: SLEEP, S.DAILY_HASSLE: HASSLE, S.WEATHER: WEATHER, S.FOOD: FOOD,
    S.HOBBY: HOBBY,
}
"""The words of each situation found by words alone (pet loss and bereavement need a death
and someone who died)."""

# Idioms with 먹다 that are not food: 욕먹다, 나이 먹다, 마음먹다, 겁먹다.
NOT_EATING = frozenset({"욕", "나이", "마음", "겁", "애"})

# Words that can fill `{what}`: the matter itself.
MATTERS: dict[Situation, frozenset[str]] = {
    S.EXAM: words("시험 수능 중간고사 기말고사 자격증 토익 모의고사 면허 고시 임용"),
    S.JOB_SEARCH: words("면접 서류 자소서 이력서 최종 인턴"),
    S.ILLNESS: words("수술 검사 항암 치료 입원 재검"),
    S.MONEY: words("카드값 월세 대출 빚 관리비 등록금 생활비 학자금 이자 보증금"),
    S.SCHOOL: words("과제 숙제 발표 팀플 수행평가 시험 조별과제"),
    S.DAILY_HASSLE: words("택배 버스 지하철 핸드폰 휴대폰 지갑 노트북 택시"),
    S.HOBBY: words("게임 영화 여행 운동 콘서트 공연 드라마 캠핑 등산 축구 야구 배드민턴 "
                   "테니스 마라톤"),
    S.FOOD: words("점심 저녁 아침 야식 치킨 라면 떡볶이 피자 국밥 삼겹살 케이크 마라탕"),
    S.WORK: words("회의 보고서 프로젝트 야근 출장 회식"),
    S.HEALTH: words("감기 두통 몸살 허리 배탈 장염 독감"),
}
WHO_BY_SITUATION: dict[Situation, frozenset[str]] = {
    S.PET_LOSS: PETS, S.PET: PETS, S.BEREAVEMENT: FAMILY | FRIENDS | PARTNERS,
    S.ILLNESS: FAMILY | FRIENDS | PARTNERS, S.FAMILY: FAMILY, S.FRIENDS: FRIENDS,
    S.LOVE: PARTNERS, S.BREAKUP: PARTNERS, S.WORK: WORKERS, S.ACCIDENT: FAMILY | FRIENDS,
    S.HEALTH: FAMILY,
}
# Who-words that are addressed with 님 at work (팀장 → 팀장님).
HONORIFIC = words("팀장 부장 과장 차장 사장 실장 본부장 이사 선생")

PRIORITY = (S.PET_LOSS, S.BEREAVEMENT, S.ACCIDENT, S.ILLNESS, S.BREAKUP, S.JOB_LOSS,
            S.MONEY, S.LONELINESS, S.SUCCESS, S.JOB_SEARCH, S.EXAM, S.WORK, S.SCHOOL,
            S.LOVE, S.FAMILY, S.FRIENDS, S.PET, S.HEALTH, S.SLEEP, S.DAILY_HASSLE,
            S.WEATHER, S.FOOD, S.HOBBY)
"""Ties go to the first: the sensitive situations, then the specific before the broad (an
accident often names a hospital; an illness seldom names an accident)."""

PEOPLE = PETS | FAMILY | FRIENDS | PARTNERS | WORKERS | words(
    "선생님 교수님 교수 담임 의사 반장 애들 친구들 동기들")
"""People (and animals) a reply may name: naming one the person did not mention reads as not
listening (선생님이 너만 혼냈어? to someone left out by classmates)."""
VOCABULARY: frozenset[str] = frozenset(
    word.split("/")[0] for word in frozenset().union(
        *CUES.values(), PETS, FAMILY, FRIENDS, PARTNERS, *MATTERS.values()))
"""Every listed word, without its tag."""
