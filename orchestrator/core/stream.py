"""A running turn whose events are read as they come.

The turn runs in its own task and hands its events to an unbounded queue (a reply is a few
hundred deltas at most), so a slow reader never holds the conversation's lock beyond the
turn's own work: the turn commits and releases the lock whatever the reader does. Closing
the stream before the turn is done cancels it, and a cancelled turn stores nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType

from orchestrator.core.types import TurnCompleted, TurnEvent, TurnResult

Emit = Callable[[TurnEvent], None]
Run = Callable[[Emit], Awaitable[TurnResult]]


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


class TurnStream:
    def __init__(self, run: Run) -> None:
        self._queue: asyncio.Queue[TurnEvent | _Failed | object] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(run))

    async def _run(self, run: Run) -> None:
        try:
            await run(self._queue.put_nowait)
        except Exception as exc:  # handed to the reader, raised there
            self._queue.put_nowait(_Failed(exc))
        finally:
            self._queue.put_nowait(_END)

    def __aiter__(self) -> AsyncIterator[TurnEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[TurnEvent]:
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]

    async def result(self) -> TurnResult:
        """Wait for the turn and return its result (raises the turn's error)."""
        result: TurnResult | None = None
        async for event in self:
            if isinstance(event, TurnCompleted):
                result = event.result
        if result is None:
            raise RuntimeError("the turn ended without a result")
        return result

    @property
    def done(self) -> bool:
        return self._task.done()

    async def aclose(self) -> None:
        """Cancel the turn if it is still running (nothing is stored then)."""
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def __aenter__(self) -> TurnStream:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.aclose()
