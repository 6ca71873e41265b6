"""Reading server-sent events from an httpx response."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    """(event name, parsed JSON data) per event; `message` when the event has no name."""
    name, data = "message", []
    async for line in response.aiter_lines():
        if not line:
            if data:
                raw = "\n".join(data)
                yield name, (raw if raw == "[DONE]" else json.loads(raw))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
