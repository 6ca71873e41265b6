"""The offline reply banks (per persona and core emotion) and the topics they may mention."""

from emotion_chat.replies.bank import Query, ReplyBank, chunks, seed_for
from emotion_chat.replies.topics import topics_in

__all__ = ["Query", "ReplyBank", "chunks", "seed_for", "topics_in"]
