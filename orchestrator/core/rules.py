"""The rule layer (the scenario blocks of the Inside Out bot, the FSM bot's rule-based
recogniser that runs before the NLU): greetings and "what's your name" are answered per
persona without any model call."""

from __future__ import annotations

import enum
import re

from emotion_chat.personas import Persona

_STRIP = re.compile(r"[\s.,!?~…ㅎㅋㅠㅜ^'\"*:;)(-]+")
# A message is a greeting when it is nothing but greetings, possibly calling the bot by a
# name first or last ("빙봉아 안녕", "안녕 친구").
_GREETING = (r"(?:안녕(?:하세요|하세여|하십니까|하신가요|하셨어요)?|안뇽|안농|하이(?:루|요)?|하잉|"
             r"하윙|ㅎㅇ|hi|hello|hey|hiya|헬로우?|헤이|반가(?:워요?|와|워라)|반갑(?:습니다|다|네요?)|"
             r"방가(?:방가)?|좋은(?:아침|저녁|밤|오후)(?:이야|이에요|입니다|이네)?|굿모닝|굿이브닝|"
             r"처음뵙겠습니다|오랜만(?:이야|이에요|입니다|이다|이네)?|잘지냈(?:어|니|어요|냐|지)|"
             r"나왔어|왔어|여보세요|하이하이)")
_CALL = r"(?:빙봉|기쁨|기쁨이|버럭|버럭이|소심|소심이|슬픔|슬픔이|친구|챗봇|봇)(?:아|야|이|님|씨)?"
_GREETINGS = re.compile(rf"^(?:{_CALL})?(?:{_GREETING})+(?:{_CALL})?$")
_LEADING_GREETING = re.compile(rf"^(?:{_CALL})?(?:{_GREETING})+(?:{_CALL})?")
_PRONOUN = r"(?:너|넌|니|네|당신|그쪽|너는|너의|네가|너를|당신은|당신의|당신을|그쪽은)"
_NAME_QUESTION = re.compile(
    rf"^{_PRONOUN}?(?:이름|성함)(?:이|은|을|좀)?(?:뭐|머|무엇|뭔|어떻게되|어떻게돼|알려|궁금|말해)"
    rf"|^{_PRONOUN}?(?:누구|누구야|누구예요|누구세요|누구니|누구임|누구지|누구신가요|누구냐|"
    rf"누구신지|뭐하는애|뭐하는분)(?:야|니|세요|예요|이야|인데)?$"
    rf"|^{_PRONOUN}?정체(?:가|는)?(?:뭐|머|무엇)"
    rf"|^(?:너|넌|당신)?자기소개"
    rf"|^{_PRONOUN}?(?:뭐라고|어떻게)(?:불러|부르)"
    r"|^(?:whoareyou|what'?syourname|yourname)"
    # how to use it: the introduction says what the persona does
    r"|(?:이거|이건|여기|이앱|챗봇)(?:어떻게|어케)(?:쓰|써|사용|이용)"
    r"|^사용법(?:이|좀|알려|뭐)|^(?:너|넌)뭐(?:할수있|해줄수있|도와줄수있)"
    # what it is: 너 AI야? 사람이야?
    r"|^(?:근데|그런데)?(?:너|넌|당신)(?:는|은)?(?:ai|에이아이|인공지능|로봇|챗봇|사람|기계)"
    r"(?:야|이야|예요|이에요|임|인가|이니|니|냐)")


class Rule(enum.Enum):
    GREETING = "greeting"
    NAME = "name"


def normalise(text: str) -> str:
    return _STRIP.sub("", text).lower()


# ㅎㅇ (하이) is a greeting, though a lone ㅎ is laughter and stripped.
_HI_JAMO = re.compile(r"^\s*(?:ㅎㅇ)+[\s!~.?]*$")


def match_rule(text: str) -> Rule | None:
    if _HI_JAMO.match(text):
        return Rule.GREETING
    key = normalise(text)
    if not key:
        return None
    if _GREETINGS.match(key):
        return Rule.GREETING
    if _NAME_QUESTION.search(key) or _NAME_QUESTION.search(_LEADING_GREETING.sub("", key)):
        return Rule.NAME  # "안녕 넌 누구야?": the introduction greets back
    return None


def rule_line(rule: Rule, persona: Persona, turn_number: int) -> str:
    """The persona's canned answer to a matched rule."""
    lines = persona.greetings if rule is Rule.GREETING else persona.introductions
    return lines[turn_number % len(lines)]
