"""Means and plans: how people who are planning to die talk about it without saying so
(수면제 두 달치 모아뒀어, 옥상 문 비번 알아냈다, 번개탄 주문했어, 줄 매듭 묶는 법).

A means word alone is everyday (옥상에서 고기 구워 먹음, 농약 치는 날, 약 먹었어); with a plan
(모아두다, 주문하다, 날짜를 정하다, ~려고, 마지막으로, 확실하다, 한꺼번에) it is the most
dangerous thing a person can write. The scorer (scorer.py) learns from these signals; the
strongest pairs are a pattern of their own (patterns.py, "means_with_plan").
"""

from __future__ import annotations

import enum
import re


class Means(enum.Enum):
    PILLS = "pills"
    CHARCOAL = "charcoal"
    ROPE = "rope"
    HEIGHT = "height"
    RAIL = "rail"
    WATER = "water"
    POISON = "poison"
    BLADE = "blade"
    TRAFFIC = "traffic"


MEANS: dict[Means, re.Pattern[str]] = {
    Means.PILLS: re.compile(r" (?:수면제|수면유도제|신경안정제|안정제|진통제|타이레놀|약|약들|알약|"
                            r"처방약|우울증약)/NNG "),
    Means.CHARCOAL: re.compile(r" (?:번개탄|연탄|숯|착화탄)/NNG "),
    Means.ROPE: re.compile(r" (?:줄|끈|밧줄|노끈|넥타이|올가미|매듭)/NNG "
                           r"| 목/NNG (?:을/JKO )?매/VV"),
    Means.HEIGHT: re.compile(r" (?:옥상|난간|베란다|고층|대교|절벽|낭떠러지|창문|비상구|"
                             r"꼭대기)/NNG "
                             r"| 다리/NNG (?:위/NNG|난간/NNG)| 층/NNB "
                             r"| (?:마포대교|한강대교)/NN\S+ | 뛰어내리/VV "),
    Means.RAIL: re.compile(r" (?:선로|철로|기찻길|철길|스크린도어)/NNG "),
    Means.WATER: re.compile(r" (?:한강|강물|바다|저수지)/NN\S+ (?:\S+ ){0,3}(?:들어가|뛰어들|빠지)"
                            r"| (?:한강|강물)/NN\S+ "),
    Means.POISON: re.compile(r" (?:농약|제초제|청산가리|락스|살충제|부동액)/NNG "),
    Means.BLADE: re.compile(r" (?:칼|면도날|면도칼|커터칼|커터|칼날)/NNG "),
    Means.TRAFFIC: re.compile(r" 핸들/NNG (?:\S+ ){0,2}꺾| (?:차|트럭)/NNG (?:\S+ ){0,3}"
                              r"(?:뛰어들|안/MAG 피하|피하/VV 지/EC 않)"),
}

PLAN = re.compile(
    r" (?:모으|모아두|모아/VV|주문하|사/VV 놓|사/VV 두|구하/VV|구매/NNG|주문/NNG|챙기/VV|"
    r"세/VV 어/EC 보|재/VV 어/EC 보|알아내|알아보|알아두|찾아보|검색/NNG|확인/NNG|"
    r"한꺼번에/MAG|충분하/VA|확실하/VA|실행/NNG|준비/NNG|날짜/NNG|정하/VV|정/NNG 하/XSV|"
    r"마지막/NNG 으로/JKB|올라가/VV|넘/VV|걸/VV|매/VV|묶/VV|막/VV|닫/VV|붙이/VV|피우/VV|"
    r"버티/VV|뛰어들/VV|뛰어내리/VV|비번/NNG|비밀번호/NNG|높이/NNG|몇/MM 층)"
    r"| (?:하|가|먹|끝내|뛰|죽)/VV (?:(?:으)?려고/EC|(?:ᆯ|을)/ETM 거/NNB|(?:ᆯ|을)래/EF|면/EC 되)"
    r"| 안/MAG 깨/VV| 깨/VV 지/EC 않")
"""Preparing, choosing the time or place, or an intent to do it."""


def means_in(rendered: str) -> frozenset[Means]:
    return frozenset(m for m, pattern in MEANS.items() if pattern.search(rendered))


def plans(rendered: str) -> bool:
    return bool(PLAN.search(rendered))
