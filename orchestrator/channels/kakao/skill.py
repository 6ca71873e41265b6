"""The OpenBuilder skill payload and skill response (version 2.0), per the public skill
documentation.

The bot engine POSTs the payload (`intent`, `userRequest` with `utterance`, `user.id`,
`timezone`, `block`, optional `callbackUrl`; `bot`; `action`) and waits 5 s for a skill
response `{"version": "2.0", "template": {"outputs": [...], "quickReplies": [...]}}`: at
most 3 outputs and 10 quick replies. With callbacks on, the skill may answer at once with
`{"version": "2.0", "useCallback": true, "data": {...}}` and POST the final response to the
one-time callback URL within a minute.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.core.types import Track

VERSION = "2.0"
MAX_OUTPUTS = 3
MAX_QUICK_REPLIES = 10
MAX_TEXT = 1000
MAX_LABEL = 14
_ID = re.compile(r"^[A-Za-z0-9._@-]{1,48}$")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class KakaoUser(_Open):
    id: str = Field(min_length=1, description="the bot user key")
    type: str = ""


class UserRequest(_Open):
    utterance: str = Field(description="what the user typed")
    user: KakaoUser
    callbackUrl: str | None = None
    timezone: str = ""
    lang: str | None = None


class Bot(_Open):
    id: str = ""
    name: str = ""


class SkillPayload(_Open):
    userRequest: UserRequest
    bot: Bot = Field(default_factory=Bot)
    intent: dict[str, Any] | None = None
    action: dict[str, Any] | None = None


def conversation_id(bot_id: str, user_id: str) -> str:
    """`kakao:{bot}:{user}`: the bot id as given when it is a plain id, the user key hashed
    (it identifies a KakaoTalk user; the hash still tells users apart)."""
    bot = bot_id if _ID.match(bot_id) else (
        "h" + hashlib.sha256(bot_id.encode()).hexdigest()[:16] if bot_id else "bot")
    user = hashlib.sha256(user_id.encode()).hexdigest()[:32]
    return f"kakao:{bot}:{user}"


def split_text(text: str, limit: int = MAX_TEXT, pieces: int = MAX_OUTPUTS) -> list[str]:
    """At most `pieces` texts of at most `limit` characters, cut at a sentence or word end
    where one is near; what does not fit ends with …."""
    text = text.strip()
    parts: list[str] = []
    while text and len(parts) < pieces:
        if len(text) <= limit:
            parts.append(text)
            return parts
        if len(parts) == pieces - 1:
            parts.append(text[:limit - 1].rstrip() + "…")
            return parts
        window = text[:limit]
        cut = max(window.rfind(mark) for mark in (". ", "! ", "? ", "\n", "요 ", "다 "))
        if cut < limit // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut >= limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return parts


def quick_reply(label: str, message: str | None = None) -> dict[str, str]:
    return {"label": label[:MAX_LABEL], "action": "message", "messageText": message or label}


MAX_LIST_ITEMS = 5


def music_card(tracks: Sequence[Track], public_url: str | None) -> dict[str, Any]:
    """The songs as a listCard (at most 5 items); each opens the song's audio when the
    orchestrator's public URL is known."""
    items = []
    for track in tracks[:MAX_LIST_ITEMS]:
        item: dict[str, Any] = {"title": track.title,
                                "description": f"{track.artist} · {', '.join(track.emotions)}"}
        if public_url:
            item["link"] = {"web": f"{public_url.rstrip('/')}/v1/tracks/{track.id}/audio"}
        items.append(item)
    return {"listCard": {"header": {"title": "지금 마음에 어울리는 곡"}, "items": items}}


def skill_response(text: str, quick_replies: list[dict[str, str]] | None = None,
                   card: dict[str, Any] | None = None) -> dict[str, Any]:
    """The reply as simpleText outputs (and a card after them, when given)."""
    room = MAX_OUTPUTS - (1 if card else 0)
    outputs: list[dict[str, Any]] = [{"simpleText": {"text": part}}
                                     for part in split_text(text, pieces=room)]
    if card:
        outputs.append(card)
    template: dict[str, Any] = {"outputs": outputs}
    if quick_replies:
        template["quickReplies"] = quick_replies[:MAX_QUICK_REPLIES]
    return {"version": VERSION, "template": template}


# Call buttons for the crisis lines (a basicCard holds at most 3 buttons).
CRISIS_CALLS = (("109 자살예방상담 (24시간)", "109"), ("1577-0199 정신건강위기상담", "15770199"),
                ("1388 청소년 상담", "1388"))


def crisis_response(text: str) -> dict[str, Any]:
    """The caring reply, then a card whose buttons call the crisis lines."""
    outputs: list[dict[str, Any]] = [{"simpleText": {"text": part}}
                                     for part in split_text(text, pieces=MAX_OUTPUTS - 1)]
    outputs.append({"basicCard": {
        "title": "지금 바로 이야기할 수 있어요",
        "description": "24시간 전문 상담사가 전화를 받아요. 혼자 견디지 마세요.",
        "buttons": [{"action": "phone", "label": label, "phoneNumber": number}
                    for label, number in CRISIS_CALLS]}})
    return {"version": VERSION, "template": {"outputs": outputs}}


def callback_ack(text: str) -> dict[str, Any]:
    return {"version": VERSION, "useCallback": True, "data": {"text": text}}
