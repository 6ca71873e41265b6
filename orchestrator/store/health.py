"""Whether the conversation store is reachable, for the store's callers and the probes.

Without a store no turn can be kept, so an outage is the orchestrator's own unavailability:
every call answers UNAVAILABLE at once (not a traceback per call), the gRPC health and the
HTTP readiness say NOT_SERVING so load balancers and Kubernetes stop sending traffic, and
the log gets one line when the outage starts and one when it ends. While it lasts a probe
pings the store every `probe_interval_s`; the first answer ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from emotion_chat.errors import ErrorCode, NotReadyError

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "conversation store unavailable; retry"


class StoreUnavailableError(NotReadyError):
    """The conversation store cannot be reached; nothing was stored (retry)."""

    code = ErrorCode.UNAVAILABLE

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


Listener = Callable[[bool], None]


class StoreHealth:
    """Reachability of one store: `failed()` on a connection error starts an outage,
    a probe ends it. Listeners hear every change (True: reachable again)."""

    def __init__(self, ping: Callable[[], Awaitable[object]], probe_interval_s: float = 0.5,
                 describe: str = "the conversation store") -> None:
        self._ping = ping
        self.probe_interval_s = probe_interval_s
        self.describe = describe
        self.reachable = True
        self._since = 0.0
        self._probe: asyncio.Task[None] | None = None
        self._listeners: list[Listener] = []
        self.outages = 0

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def check(self) -> None:
        """Fail fast while an outage lasts: no call waits on a dead connection."""
        if not self.reachable:
            raise StoreUnavailableError()

    def failed(self, exc: BaseException) -> StoreUnavailableError:
        """Record a connection failure; returns the error to raise to the caller."""
        if self.reachable:
            self.reachable = False
            self.outages += 1
            self._since = time.monotonic()
            log.error("%s is unreachable (%s: %s); answering UNAVAILABLE and NOT_SERVING "
                      "until it is back", self.describe, type(exc).__name__, exc)
            self._tell(False)
            with contextlib.suppress(RuntimeError):  # no running loop: nothing to probe
                self._probe = asyncio.get_running_loop().create_task(self._wait_for_store())
        return StoreUnavailableError()

    async def _wait_for_store(self) -> None:
        while True:
            await asyncio.sleep(self.probe_interval_s)
            try:
                await self._ping()
            except Exception:  # still down: its start was logged
                continue
            self.reachable = True
            log.warning("%s is reachable again after %.1f s; SERVING", self.describe,
                        time.monotonic() - self._since)
            self._tell(True)
            return

    def _tell(self, reachable: bool) -> None:
        for listener in self._listeners:
            try:
                listener(reachable)
            except Exception:
                log.exception("store health listener failed")

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
