"""Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, ...) via the SDK.

The BERT & GPT pipeline paper's scheme: a system message asking for a friend-like 반말 reply
that reflects the emotion after `;;`, the history as alternating messages, the user's turn as
`text ;; emotion`. Replies are streamed. HTTP failures become gRPC codes: 429 →
RESOURCE_EXHAUSTED, 401 → UNAUTHENTICATED, 403 → PERMISSION_DENIED, timeouts →
DEADLINE_EXCEEDED, 5xx and connection errors → UNAVAILABLE, 400/422 → INVALID_ARGUMENT, 404 →
FAILED_PRECONDITION (wrong model or base URL). The API key comes from settings, a mounted
secret file or `OPENAI_API_KEY`; it is never logged.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openai

from emotion_chat.errors import ErrorCode, UpstreamError
from generator_service.backends.base import Completion, GenerationInput
from generator_service.backends.prompts import chat_messages

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: ErrorCode.INVALID_ARGUMENT,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.FAILED_PRECONDITION,
    408: ErrorCode.DEADLINE_EXCEEDED,
    422: ErrorCode.INVALID_ARGUMENT,
    429: ErrorCode.RESOURCE_EXHAUSTED,
}


def resolve_api_key(key: str | None, key_file: Path | None) -> str:
    if key:
        return key
    if key_file is not None:
        return key_file.read_text(encoding="utf-8").strip()
    # vLLM and most local servers accept any key; OpenAI itself answers 401 (UNAUTHENTICATED).
    return os.environ.get("OPENAI_API_KEY", "EMPTY")


def upstream_error(exc: openai.OpenAIError, base_url: str) -> UpstreamError:
    """The domain error for an SDK error; the message names the upstream, never the key."""
    if isinstance(exc, openai.APITimeoutError):
        return UpstreamError(f"chat API at {base_url} timed out",
                             ErrorCode.DEADLINE_EXCEEDED)
    if isinstance(exc, openai.APIConnectionError):
        return UpstreamError(f"chat API at {base_url} is unreachable",
                             ErrorCode.UNAVAILABLE)
    if isinstance(exc, openai.APIStatusError):
        code = _STATUS_CODES.get(exc.status_code, ErrorCode.UNAVAILABLE
                                 if exc.status_code >= 500 else ErrorCode.UNKNOWN)
        return UpstreamError(f"chat API at {base_url} answered HTTP {exc.status_code}", code)
    return UpstreamError(f"chat API at {base_url} failed: {type(exc).__name__}",
                         ErrorCode.UNAVAILABLE)


class OpenAIChatBackend:
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str, timeout_s: float,
                 max_retries: int, max_tokens_param: str = "max_tokens") -> None:
        self.base_url = base_url
        self.model_name = model
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._max_tokens_param = max_tokens_param
        self._client: openai.AsyncOpenAI | None = None

    async def startup(self) -> None:
        self._client = openai.AsyncOpenAI(base_url=self.base_url, api_key=self._api_key,
                                          timeout=self._timeout_s, max_retries=self._max_retries)
        log.info("openai backend: model %s at %s", self.model_name, self.base_url)

    async def shutdown(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    def _timeout(self, request: GenerationInput) -> float:
        if request.deadline is None:
            return self._timeout_s
        return max(0.001, min(self._timeout_s, request.deadline - time.monotonic()))

    async def stream(self, request: GenerationInput) -> AsyncIterator[str | Completion]:
        assert self._client is not None, "backend not started"
        options: dict[str, object] = {
            self._max_tokens_param: request.max_new_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.seed is not None:
            options["seed"] = request.seed
        finish_reason = "stop"
        completion_tokens = prompt_tokens = pieces = 0
        try:
            create: Any = self._client.chat.completions.create  # options built dynamically
            stream = await create(
                model=self.model_name, messages=chat_messages(request), stream=True,
                stream_options={"include_usage": True}, timeout=self._timeout(request),
                **options)
            async for chunk in stream:
                if chunk.usage is not None:
                    prompt_tokens = chunk.usage.prompt_tokens
                    completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta.content:
                        pieces += 1
                        yield choice.delta.content
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
        except openai.OpenAIError as exc:
            raise upstream_error(exc, self.base_url) from exc
        yield Completion(finish_reason=finish_reason, prompt_tokens=prompt_tokens,
                         completion_tokens=completion_tokens or pieces)
