"""Posting a final skill response to a Kakao callback URL.

The URL is valid for 1 minute and usable once: a failed POST is retried within the window
when the request surely did not land (connection refused, 429, 5xx); when its fate is
unknown (the connection broke after sending), it is not retried, so an answer is never
delivered twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class CallbackSender:
    def __init__(self, timeout_s: float = 5.0) -> None:
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None
        self._pending: set[asyncio.Task[Any]] = set()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        return self._client

    async def post(self, url: str, body: dict[str, Any], until: float) -> bool:
        """True once the callback URL accepted the response."""
        pause = 0.2
        attempt = 0
        while True:
            attempt += 1
            left = until - time.monotonic()
            if left <= 0:
                log.warning("kakao callback not delivered within its window (%d attempts)",
                            attempt - 1)
                return False
            try:
                response = await self._http().post(url, json=body,
                                                   timeout=min(self._timeout_s, left))
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                log.info("kakao callback attempt %d: not sent (%s)", attempt, exc)
            except httpx.HTTPError as exc:
                log.warning("kakao callback: delivery unknown (%s); not retried", exc)
                return False
            else:
                if response.is_success:
                    return True
                if response.status_code not in RETRY_STATUSES:
                    log.warning("kakao callback refused: HTTP %d", response.status_code)
                    return False
                log.info("kakao callback attempt %d: HTTP %d", attempt, response.status_code)
            await asyncio.sleep(min(pause, max(0.0, until - time.monotonic())))
            pause = min(pause * 2, 5.0)

    def spawn(self, work: Awaitable[Any]) -> None:
        """Run a delivery in the background, tracked until it ends (see `drain`)."""
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self, timeout_s: float) -> None:
        """Let pending deliveries finish (at shutdown), then close the client."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout_s)
            for task in self._pending:
                task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
