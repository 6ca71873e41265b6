"""Conversational load that survives faults: clients that retry, and what they saw.

Each client holds one conversation and sends its turns one after another, every turn with
its own `request_id`. A turn that fails (a replica died, the store is down, a lock is held
by a dead replica) is retried with the same id, on the next orchestrator replica, until it
is acknowledged or the load ends. What the clients record is what a fault test asserts on:

- acknowledged turns (the answer reached the client), per conversation, in order;
- failures by status code, and the longest a turn took to be acknowledged across retries;
- when each answer was degraded and why (to time a restarted dependency's recovery).

`check_stored` compares the acknowledged turns with what the store holds afterwards: every
acknowledged turn present exactly once (lost = absent, duplicated = stored twice).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import grpc

from benchmarks.sentences import sentence_mix
from emotion_chat.v1 import generator_pb2 as gen_pb
from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc

RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED,
                       grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED,
                       grpc.StatusCode.CANCELLED, grpc.StatusCode.UNKNOWN})


@dataclass(frozen=True, slots=True)
class Answer:
    """One acknowledged turn as the client saw it."""

    conversation_id: str
    request_id: str
    text: str
    turn_index: int
    at: float
    """time.monotonic() when the answer arrived."""
    degraded: tuple[str, ...]
    attempts: int
    latency_s: float
    """From the first attempt to the acknowledgement (retries included)."""


@dataclass
class LoadReport:
    answers: list[Answer] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    """Failed attempts by status code name (each was retried)."""
    abandoned: int = 0
    """Turns still unacknowledged when the load ended (their outcome is unknown)."""
    errors: list[str] = field(default_factory=list)
    """Attempts that failed with a status a client must not retry ("CODE: details"): the
    turn is given up (a fault test expects none)."""

    @property
    def acknowledged(self) -> int:
        return len(self.answers)

    def first_clean_after(self, since: float, reason: str) -> float | None:
        """Seconds from `since` to the first answer after it that is not degraded for
        `reason` (and was not sent before `since`); None if none came."""
        for answer in sorted(self.answers, key=lambda a: a.at):
            if answer.at - answer.latency_s >= since and reason not in answer.degraded:
                return answer.at - since
        return None

    def max_latency_between(self, start: float, end: float) -> float:
        """The longest acknowledgement among turns started in [start, end]."""
        return max((a.latency_s for a in self.answers
                    if start <= a.at - a.latency_s <= end), default=0.0)


class RetryingLoad:
    """`clients` conversations driven against `targets` until `stop()`."""

    def __init__(self, targets: Sequence[str], clients: int, prefix: str,
                 attempt_timeout_s: float = 10.0, pause_s: float = 0.0,
                 retry_pause_s: float = 0.05) -> None:
        self.targets = list(targets)
        self.clients = clients
        self.prefix = prefix
        self.attempt_timeout_s = attempt_timeout_s
        self.pause_s = pause_s
        self.retry_pause_s = retry_pause_s
        self.report = LoadReport()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._channels: list[grpc.aio.Channel] = []
        self._texts = itertools.cycle(sentence_mix())

    def conversation(self, n: int) -> str:
        return f"{self.prefix}-{n}"

    async def start(self) -> None:
        options = [("grpc.max_reconnect_backoff_ms", 500)]
        self._channels = [grpc.aio.insecure_channel(t, options) for t in self.targets]
        self._tasks = [asyncio.create_task(self._client(n)) for n in range(self.clients)]

    async def stop(self) -> LoadReport:
        self._stopping.set()
        await asyncio.gather(*self._tasks)
        for channel in self._channels:
            await channel.close()
        return self.report

    async def _client(self, n: int) -> None:
        conversation = self.conversation(n)
        replica = n % len(self._channels)
        for i in itertools.count():
            if self._stopping.is_set():
                return
            request_id = f"{conversation}-r{i}"
            text = f"{next(self._texts)} #{i}"
            began = time.monotonic()
            for attempt in itertools.count(1):
                stub = pb_grpc.ChatServiceStub(self._channels[replica])
                try:
                    reply = await stub.Chat(
                        pb.ChatRequest(conversation_id=conversation, text=text,
                                       request_id=request_id),
                        timeout=self.attempt_timeout_s)
                except grpc.aio.AioRpcError as exc:
                    self.report.failures[exc.code().name] += 1
                    if exc.code() not in RETRYABLE:
                        self.report.errors.append(f"{exc.code().name}: {exc.details()}")
                        break
                    if self._stopping.is_set():
                        self.report.abandoned += 1
                        return
                    replica = (replica + 1) % len(self._channels)
                    await asyncio.sleep(self.retry_pause_s)
                    continue
                now = time.monotonic()
                self.report.answers.append(Answer(
                    conversation, request_id, text, reply.turn_index, now,
                    tuple(reply.degraded), attempt, now - began))
                break
            if self.pause_s:
                await asyncio.sleep(self.pause_s)


@dataclass(frozen=True, slots=True)
class StoredCheck:
    acknowledged: int
    lost: int
    duplicated: int
    """Acknowledged turns stored more than once (a retry stored again)."""
    stored: int


async def _read(stub: pb_grpc.ChatServiceStub, conversation: str,
                within_s: float = 15.0) -> pb.Conversation:
    """A conversation's stored turns, retrying UNAVAILABLE as a client is told to: on a
    machine this loaded a store call can outlast its timeout and start a short outage
    of its own just after the one a test made."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            answer: pb.Conversation = await stub.GetConversation(
                pb.GetConversationRequest(conversation_id=conversation), timeout=10)
            return answer
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def check_stored(target: str, report: LoadReport) -> StoredCheck:
    """Read every conversation back and count lost and duplicated acknowledged turns."""
    by_conversation: dict[str, list[Answer]] = {}
    for answer in report.answers:
        by_conversation.setdefault(answer.conversation_id, []).append(answer)
    lost = duplicated = stored = 0
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.ChatServiceStub(channel)
        for conversation, answers in by_conversation.items():
            history = await _read(stub, conversation)
            texts = Counter(t.text for t in history.turns if t.role == gen_pb.ROLE_USER)
            stored += sum(texts.values())
            for answer in answers:
                count = texts.get(answer.text, 0)
                lost += count == 0
                duplicated += count > 1
    return StoredCheck(len(report.answers), lost, duplicated, stored)
