"""A crisis turn handed to a human operator: a POST to a configured webhook.

The turn never waits for it: the event is queued and posted in the background, retried a
few times when the operator's endpoint is down, and dropped (with a log line) after that.
The body carries the conversation id, the front door, the turn, the message and the cue
that matched; `crisis_webhook_include_text` leaves the message out.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from typing import Any

import httpx

from orchestrator.core.ports import CrisisEvent

log = logging.getLogger(__name__)

ATTEMPTS = 4


class WebhookNotifier:
    def __init__(self, url: str, include_text: bool = True, token: str | None = None,
                 timeout_s: float = 5.0) -> None:
        self._url = url
        self._include_text = include_text
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def notify(self, event: CrisisEvent) -> None:
        body: dict[str, Any] = {"event": "crisis", **asdict(event)}
        if not self._include_text:
            body.pop("text")
        task = asyncio.ensure_future(self._post(body))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _post(self, body: dict[str, Any]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout_s)
        pause = 0.5
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = await self._client.post(self._url, json=body, headers=self._headers)
                if response.is_success:
                    return
                log.warning("crisis webhook answered HTTP %d (attempt %d)",
                            response.status_code, attempt)
                if response.status_code < 500 and response.status_code != 429:
                    return
            except httpx.HTTPError as exc:
                log.warning("crisis webhook unreachable (attempt %d): %s", attempt, exc)
            await asyncio.sleep(pause)
            pause *= 2
        log.error("crisis webhook: event for conversation %s dropped after %d attempts",
                  body["conversation_id"], ATTEMPTS)

    async def close(self, timeout_s: float) -> None:
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout_s)
        if self._client is not None:
            await self._client.aclose()
