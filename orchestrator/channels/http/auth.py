"""Bearer tokens on the HTTP front door: the same tokens as the gRPC side."""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from fastapi import Request

from emotion_chat.errors import UnauthenticatedError

REJECTION = "missing or invalid bearer token in the Authorization header"


class BearerAuth:
    """A FastAPI dependency (async: a sync one would cost a thread hop per request)."""

    def __init__(self, tokens: Iterable[str]) -> None:
        self._tokens = tuple(t.encode() for t in tokens if t)
        if not self._tokens:
            raise ValueError("bearer-token authentication needs at least one token")

    async def __call__(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        presented = token.strip().encode()
        if scheme.lower() != "bearer" or not presented or not any(
                hmac.compare_digest(presented, t) for t in self._tokens):
            raise UnauthenticatedError(REJECTION)
