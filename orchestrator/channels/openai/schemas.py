"""The subset of the chat completions request the bot reads (other fields are accepted and
ignored, as vLLM does)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[ContentPart] | None = None


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field(description="a persona id or name (joy, 기쁨이, ...), or "
                       "`emotion-chat` to keep the conversation's persona")
    messages: list[ChatMessage] = Field(description="the last one, a user message, is the "
                                        "turn; the history lives on the server")
    user: str | None = Field(None, description="the conversation id (or the "
                             "X-Conversation-Id header)")
    stream: bool = False
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    seed: int | None = None
    n: int | None = None
    metadata: dict[str, Any] | None = None
