"""Everyday topics a reply may mention, by keyword.

The bank only offers a reply that mentions a topic (시험, 회사, 강아지, ...) when the user's
message raised that topic: a reply about an exam to someone who talked about a parcel reads
as not listening.
"""

from __future__ import annotations

TOPICS: dict[str, tuple[str, ...]] = {
    "exam": tuple("시험|성적|수능|학점|기말|중간고사|자격증|합격|불합격|공부".split("|")),
    "school": tuple("학교|수업|과제|교수|선생님|학원|방학|개강|졸업".split("|")),
    "work": tuple("회사|출근|퇴근|야근|상사|팀장|부장|동료|회의|업무|직장|첫 출근|사장".split("|")),
    "job": tuple("면접|취업|취준|이력서|서류|구직|입사".split("|")),
    "parttime": tuple("알바|아르바이트|손님".split("|")),
    "money": tuple("돈|월급|용돈|카드값|대출|적금|통장|월세|빚".split("|")),
    "family": tuple(("엄마|아빠|부모|가족|동생|언니|오빠|누나|형이|할머니|"
                     "할아버지|남편|아내|아이|아들|딸").split("|")),
    "friend": tuple("친구|절친|동기".split("|")),
    "love": tuple("남자친구|여자친구|남친|여친|연애|데이트|썸|헤어|이별|고백|애인".split("|")),
    "health": tuple("병원|아파|아프|감기|건강|수술|약|다쳐|다친|입원".split("|")),
    "sleep": tuple("잠|졸려|불면|밤새|새벽".split("|")),
    "weather": tuple("날씨|비가|비 와|비와|눈이|더워|추워|장마|햇살".split("|")),
    "food": tuple("밥|음식|야식|치킨|라면|맛집|배고|먹었|먹고|디저트|커피".split("|")),
    "move": tuple("이사|자취|집주인|전세".split("|")),
    "commute": tuple("버스|지하철|출퇴근|택시|운전|차가 막".split("|")),
    # Dogs and cats apart: "고양이가 무지개다리를 건넜구나" to someone missing a dog is wrong.
    "dog": tuple("강아지|댕댕|멍멍|반려견".split("|")),
    "cat": tuple("고양이|냥이|반려묘".split("|")),
    "game": tuple("게임|랭크|롤".split("|")),
    "travel": tuple("여행|비행기|휴가|캠핑".split("|")),
    "weekend": tuple("주말|휴일|연휴".split("|")),
    "parcel": tuple("택배|배송|주문".split("|")),
    "phone": tuple("핸드폰|휴대폰|폰|카톡|sns|인스타|댓글".split("|")),
    "exercise": tuple("운동|헬스|다이어트|살이|러닝".split("|")),
}


def topics_in(text: str) -> frozenset[str]:
    lowered = text.lower()
    return frozenset(topic for topic, words in TOPICS.items()
                     if any(word in lowered for word in words))
