"""The emotion taxonomy: every label set the project meets, and how each maps to the seven
core emotions the dialogue, the reply banks and the metrics are written for.

Label sets:
- the seven of the masking-BERT paper (행복, 불안, 슬픔, 당황, 상처, 분노, 중립): the demo
  classifier's labels and the core set everything maps to;
- the 58 sub-emotions of the AI-Hub 감성 대화 corpus (the klue/bert-base fine-tune), grouped by
  their major category (기쁨 → 행복);
- the six of the Korean short-utterance emotion dataset (happytalkplayer's KcELECTRA):
  공포, 놀람, 분노, 슬픔, 행복, 혐오;
- the four of the Inside Out multi-label model: 분노, 슬픔, 불안, 기쁨.

Unknown or empty labels (e.g. the classifier was unavailable) map to 중립.
"""

from __future__ import annotations

import enum

NEUTRAL = "중립"
CORE_LABELS = ("행복", "불안", "슬픔", "당황", "상처", "분노", NEUTRAL)
"""The seven core emotions, in the demo classifier's label order."""

# The AI-Hub corpus's 58 sub-emotions by major category (its 기쁨 is our 행복).
AIHUB_GROUPS: dict[str, tuple[str, ...]] = {
    "행복": ("기쁨", "감사하는", "신뢰하는", "편안한", "만족스러운", "흥분", "느긋", "안도",
             "신이 난", "자신하는"),
    "당황": ("당황", "당혹스러운", "남의 시선을 의식하는", "부끄러운", "열등감", "죄책감의",
             "한심한", "혼란스러운", "혐오스러운"),
    "분노": ("분노", "툴툴대는", "좌절한", "짜증내는", "방어적인", "악의적인", "안달하는",
             "구역질 나는", "노여워하는", "성가신"),
    "불안": ("불안", "두려운", "스트레스 받는", "취약한", "회의적인", "걱정스러운", "조심스러운",
             "초조한"),
    "상처": ("상처", "질투하는", "배신당한", "고립된", "충격 받은", "가난한, 불우한", "희생된",
             "억울한", "괴로워하는", "버려진"),
    "슬픔": ("슬픔", "실망한", "비통한", "후회되는", "우울한", "마비된", "염세적인",
             "눈물이 나는", "낙담한", "환멸을 느끼는", "외로운"),
}
AIHUB_SUB_EMOTIONS = tuple(sorted(label for group in AIHUB_GROUPS.values() for label in group))
"""The 58 sub-emotion labels of the AI-Hub corpus, in sorted order."""

SHORT_UTTERANCE_LABELS = ("공포", "놀람", "분노", "슬픔", "행복", "혐오")
_SHORT_UTTERANCE = {"공포": "불안", "놀람": "당황", "분노": "분노", "슬픔": "슬픔",
                    "행복": "행복", "혐오": "분노"}

INSIDE_OUT_LABELS = ("분노", "슬픔", "불안", "기쁨")
_INSIDE_OUT = {"분노": "분노", "슬픔": "슬픔", "불안": "불안", "기쁨": "행복"}

_ENGLISH = {"joy": "행복", "happy": "행복", "happiness": "행복", "anger": "분노",
            "angry": "분노", "fear": "불안", "anxious": "불안", "anxiety": "불안",
            "sadness": "슬픔", "sad": "슬픔", "hurt": "상처", "embarrassed": "당황",
            "surprise": "당황", "disgust": "분노", "neutral": NEUTRAL}


class LabelSet(enum.Enum):
    CORE = "core"
    AIHUB_58 = "aihub-58"
    SHORT_UTTERANCE_6 = "short-utterance-6"
    INSIDE_OUT_4 = "inside-out-4"
    OTHER = "other"


def _build() -> dict[str, str]:
    table = {label: label for label in CORE_LABELS}
    table.update({label: core for core, group in AIHUB_GROUPS.items() for label in group})
    table.update(_SHORT_UTTERANCE)
    table.update(_INSIDE_OUT)
    table.update(_ENGLISH)
    return table


_TO_CORE = _build()


def known_core_emotion(label: str) -> str | None:
    """The core emotion of a label from any of the project's label sets (the seven core
    emotions, the AI-Hub 58, the short-utterance 6, Inside Out's 4, English names); None for
    an unknown or empty one."""
    key = label.strip().lower() if label.isascii() else label.strip()
    return _TO_CORE.get(key) if key else None


def core_emotion(label: str) -> str:
    """The core emotion of any known label; 중립 for an unknown or empty one."""
    return known_core_emotion(label) or NEUTRAL


def label_set(labels: tuple[str, ...] | list[str]) -> LabelSet:
    """Which known label set a classifier's labels are (order does not matter)."""
    given = set(labels)
    for kind, known in ((LabelSet.CORE, CORE_LABELS), (LabelSet.AIHUB_58, AIHUB_SUB_EMOTIONS),
                        (LabelSet.SHORT_UTTERANCE_6, SHORT_UTTERANCE_LABELS),
                        (LabelSet.INSIDE_OUT_4, INSIDE_OUT_LABELS)):
        if given == set(known):
            return kind
    return LabelSet.OTHER


# How the bot names a core emotion when it asks the user to confirm it ("혹시 지금 {feeling}
# 거야?").
FEELINGS = {"행복": "기분이 좋은", "불안": "불안한", "슬픔": "슬픈", "당황": "당황스러운",
            "상처": "마음이 상한", "분노": "화가 난", NEUTRAL: "덤덤한"}


def feeling_words(label: str) -> str:
    return FEELINGS[core_emotion(label)]


# The core emotion each Inside Out persona embodies (its `embodies` key): such a persona may
# answer in its own emotion as well as mirror the user's.
EMBODIED = {"joy": "행복", "anger": "분노", "fear": "불안", "sadness": "슬픔"}


def embodied_emotion(embodies: str) -> str | None:
    return EMBODIED.get(embodies)
