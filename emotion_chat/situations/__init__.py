"""Situations: what a message is about (a pet that died, an exam, money trouble, lunch...).

The orchestrator detects the situation from a message's content words and keeps it for the
next turns; the reply banks are organised by persona × emotion × situation, and a sensitive
situation never gets a playful reply.
"""

from __future__ import annotations

import enum


class Situation(enum.Enum):
    PET_LOSS = "pet_loss"
    """A pet died or is about to (무지개다리)."""
    PET = "pet"
    """Pets in everyday life: a cute, naughty or sick pet."""
    BEREAVEMENT = "bereavement"
    """Someone died: family, a friend; grief, anniversaries, missing them."""
    ILLNESS = "illness"
    """Serious illness or hospital: cancer, surgery, a diagnosis, caring for someone ill."""
    HEALTH = "health"
    """Minor health trouble: a cold, a headache, a sore back."""
    ACCIDENT = "accident"
    """An accident: a car crash, a fall, an injury."""
    BREAKUP = "breakup"
    """A break-up, being dumped, divorce."""
    LOVE = "love"
    """Dating, a crush, a confession, a partner."""
    JOB_LOSS = "job_loss"
    """Losing a job: fired, laid off, a business that closed."""
    WORK = "work"
    """Work: the boss, colleagues, overtime, workload."""
    JOB_SEARCH = "job_search"
    """Looking for work: applications, interviews, rejections."""
    EXAM = "exam"
    """Exams and grades: 수능, finals, certificates, results."""
    SCHOOL = "school"
    """School life: classes, homework, teachers, presentations."""
    MONEY = "money"
    """Money trouble: bills, debt, rent, an empty account."""
    FRIENDS = "friends"
    """Friends: fights, being left out, friends who forgot or helped."""
    FAMILY = "family"
    """Family: parents, siblings, children; arguments, worries, missing them."""
    LONELINESS = "loneliness"
    """Feeling alone, having no one to talk to."""
    SLEEP = "sleep"
    """Sleep: insomnia, exhaustion, nightmares."""
    WEATHER = "weather"
    """The weather: rain, heat, cold, snow."""
    FOOD = "food"
    """Food and meals: what to eat, a good meal, hunger."""
    HOBBY = "hobby"
    """Hobbies: games, music, films, sport, travel, weekends."""
    SUCCESS = "success"
    """Good news: passed, hired, promoted, a goal reached."""
    DAILY_HASSLE = "daily_hassle"
    """Small everyday trouble: a lost parcel, a missed bus, a broken phone."""


# How a prompt names each situation (Korean).
NAMES: dict[Situation, str] = {
    Situation.PET_LOSS: "반려동물을 떠나보냄", Situation.PET: "반려동물",
    Situation.BEREAVEMENT: "가까운 사람을 잃음", Situation.ILLNESS: "큰 병이나 병원 일",
    Situation.HEALTH: "가벼운 몸의 불편", Situation.ACCIDENT: "사고나 부상",
    Situation.BREAKUP: "이별", Situation.LOVE: "연애", Situation.JOB_LOSS: "실직",
    Situation.WORK: "회사 일", Situation.JOB_SEARCH: "취업 준비", Situation.EXAM: "시험",
    Situation.SCHOOL: "학교생활", Situation.MONEY: "돈 문제", Situation.FRIENDS: "친구 관계",
    Situation.FAMILY: "가족", Situation.LONELINESS: "외로움", Situation.SLEEP: "잠과 피로",
    Situation.WEATHER: "날씨", Situation.FOOD: "음식", Situation.HOBBY: "취미와 여가",
    Situation.SUCCESS: "좋은 소식", Situation.DAILY_HASSLE: "일상의 작은 불편",
}

S = Situation
EMOTIONS: dict[Situation, tuple[str, ...]] = {
    S.PET_LOSS: ("슬픔", "상처"), S.PET: ("행복", "불안", "슬픔", "중립"),
    S.BEREAVEMENT: ("슬픔", "상처"), S.ILLNESS: ("불안", "슬픔"),
    S.HEALTH: ("불안", "중립", "슬픔"), S.ACCIDENT: ("불안", "당황", "슬픔"),
    S.BREAKUP: ("슬픔", "상처", "분노"), S.LOVE: ("행복", "불안", "당황", "슬픔"),
    S.JOB_LOSS: ("슬픔", "불안", "분노", "상처"),
    S.WORK: ("분노", "불안", "슬픔", "행복", "상처"), S.JOB_SEARCH: ("불안", "행복", "슬픔"),
    S.EXAM: ("불안", "행복", "슬픔"), S.SCHOOL: ("분노", "불안", "당황", "행복"),
    S.MONEY: ("불안", "슬픔"), S.FRIENDS: ("상처", "분노", "행복", "슬픔"),
    S.FAMILY: ("상처", "분노", "슬픔", "행복", "불안"), S.LONELINESS: ("슬픔",),
    S.SLEEP: ("불안", "중립"), S.WEATHER: ("중립", "행복", "슬픔"), S.FOOD: ("중립", "행복"),
    S.HOBBY: ("행복", "중립"), S.SUCCESS: ("행복",), S.DAILY_HASSLE: ("분노", "당황"),
}
"""The core emotions a message in each situation plausibly shows, most likely first; the
reply banks are written for these."""

SENSITIVE = frozenset({Situation.PET_LOSS, Situation.BEREAVEMENT, Situation.ILLNESS,
                       Situation.ACCIDENT, Situation.BREAKUP, Situation.JOB_LOSS,
                       Situation.MONEY, Situation.LONELINESS})
"""Never answered with a playful line."""


def situation_of(value: str) -> Situation | None:
    """The situation named by its id; None for "" or an unknown id."""
    try:
        return Situation(value) if value else None
    except ValueError:
        return None
