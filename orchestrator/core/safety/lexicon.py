"""Word classes for the risk score: what a message talks about, by meaning rather than by
word (지치다, 버티다, 한계 are all despair; 나눠주다, 맡기다, 삭제하다 all giving away), so the
score learns from one writer's words what another writer says with other words. The score
sees each class a message touches and each pair of them (despair with a farewell, a means
with a plan).
"""

from __future__ import annotations

import enum
import itertools

from emotion_chat.language.morphs import Analysis
from orchestrator.core.safety.means import means_in, plans


class Theme(enum.Enum):
    DEATH = "death"
    VANISH = "vanish"
    BURDEN = "burden"
    DESPAIR = "despair"
    FAREWELL = "farewell"
    GIVE_AWAY = "give_away"
    HARM = "harm"
    FINAL_TIME = "final_time"
    MEANS = "means"
    PLAN = "plan"
    SELF = "self"
    MEDIA = "media"
    OTHERS = "others"
    LAUGH = "laugh"


def _forms(text: str) -> frozenset[str]:
    return frozenset(text.split())


WORDS: dict[Theme, frozenset[str]] = {
    Theme.DEATH: _forms("죽 죽음 자살 극단 목숨 생명 인생 이승 저승 하늘나라 천국 영원히 영영 "
                        "뒤지 디지 유서 유언 장례식 무덤 납골당 세상"),
    Theme.VANISH: _forms("사라지 없어지 지우 증발 소멸 떠나 잠들 깨 깨어나 눈뜨 흔적 잊 "
                         "데려가 삭제 로그아웃 리셋 종료 끄 꺼지"),
    Theme.BURDEN: _forms("짐 짐덩어리 민폐 폐 쓸모없 필요없 걸림돌 방해 피해 부담 쓰레기 "
                         "존재 가치 자격 잘못 실패작 실수"),
    Theme.DESPAIR: _forms("지치 버티 견디 힘들 희망 의미 이유 소용 포기 한계 무의미 지옥 고통 "
                          "벗어나 탈출 출구 끝 끝내 끝나 그만 지겹 괴롭 공허 텅 무너지 "
                          "절망 비참 살아가 살"),
    Theme.FAREWELL: _forms("고맙 감사 미안 죄송 안녕 작별 인사 편지 용서 사랑하 그동안 "
                           "부탁 다음 생 후생 먼저 마지막"),
    Theme.GIVE_AWAY: _forms("나눠주 물려주 맡기 정리 처분 비우 갚 해지 넘기 남기 챙겨주 "
                            "기부 양도 돌려주 계좌 비번 비밀번호"),
    Theme.HARM: _forms("긋 자르 베 상처 흉터 피 칼 면도날 면도칼 커터 커터칼 때리 박 화상 "
                       "지지 뜯 긁 붕대 긴팔 손목 허벅지 자해 아프게 굶 토하"),
    Theme.FINAL_TIME: _forms("오늘밤 오늘 내일 밤 새벽 날짜 그날 생일 월요일 주말 이번 "
                             "시 자정 마지막 곧 조만간"),
    Theme.MEDIA: _forms("드라마 영화 뉴스 기사 소설 웹툰 게임 주인공 캐릭터 노래 가사 "
                        "만화 책 연예인 배우 유튜브 방송 다큐"),
    Theme.OTHERS: _forms("친구 엄마 아빠 동생 언니 오빠 누나 형 선배 후배 동료 남친 여친 "
                         "애인 그 걔 사람들 누가 누군가"),
}
_TAGS = ("NNG", "NNP", "VV", "VA", "MAG", "VX", "XR", "NP", "MM")


def themes(analysis: Analysis) -> frozenset[Theme]:
    found = {theme for theme, forms in WORDS.items()
             if any(m.form in forms and m.tag.split("-")[0] in _TAGS
                    for m in analysis.morphemes)}
    rendered = analysis.rendered
    if means_in(rendered):
        found.add(Theme.MEANS)
    if plans(rendered):
        found.add(Theme.PLAN)
    if any(m.tag == "NP" and m.form in ("나", "저", "내", "제") for m in analysis.morphemes):
        found.add(Theme.SELF)
    if "ㅋ" in analysis.text or "ㅎㅎ" in analysis.text:
        found.add(Theme.LAUGH)
    return frozenset(found)


def theme_features(analysis: Analysis) -> set[str]:
    """`t:<theme>` for each theme and `t:<a>+<b>` for each pair (in a fixed order)."""
    found = sorted(t.value for t in themes(analysis))
    return {f"t:{t}" for t in found} | {f"t:{a}+{b}" for a, b in itertools.combinations(found, 2)}
