"""Map any classifier's label to one of the seven reply emotions the banks are written for.

The demo model's labels (행복, 불안, 슬픔, 당황, 상처, 분노, 중립) map to themselves; the 58
sub-emotions of the AI-Hub 감성 대화 corpus (seed 001) map to their major category (기쁨 →
행복); the Inside Out labels (기쁨, 분노, 슬픔, 불안) map directly. Unknown or empty labels
(e.g. the classifier was unavailable) map to 중립.
"""

from __future__ import annotations

REPLY_EMOTIONS = ("행복", "불안", "슬픔", "당황", "상처", "분노", "중립")
NEUTRAL = "중립"

_GROUPS = {
    "행복": ("행복", "기쁨", "감사하는", "신뢰하는", "편안한", "만족스러운", "흥분", "느긋",
             "안도", "신이 난", "자신하는", "joy", "happy", "happiness"),
    "당황": ("당황", "당혹스러운", "남의 시선을 의식하는", "부끄러운", "열등감", "죄책감의",
             "한심한", "혼란스러운", "혐오스러운", "embarrassed"),
    "분노": ("분노", "툴툴대는", "좌절한", "짜증내는", "방어적인", "악의적인", "안달하는",
             "구역질 나는", "노여워하는", "성가신", "anger", "angry"),
    "불안": ("불안", "두려운", "스트레스 받는", "취약한", "회의적인", "걱정스러운", "조심스러운",
             "초조한", "fear", "anxious", "anxiety"),
    "상처": ("상처", "질투하는", "배신당한", "고립된", "충격 받은", "가난한, 불우한", "희생된",
             "억울한", "괴로워하는", "버려진", "hurt"),
    "슬픔": ("슬픔", "실망한", "비통한", "후회되는", "우울한", "마비된", "염세적인", "눈물이 나는",
             "낙담한", "환멸을 느끼는", "외로운", "sadness", "sad"),
    "중립": ("중립", "neutral"),
}
_TO_REPLY = {label: group for group, labels in _GROUPS.items() for label in labels}


def reply_emotion(label: str) -> str:
    return _TO_REPLY.get(label.strip(), NEUTRAL) if label else NEUTRAL
