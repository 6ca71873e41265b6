"""Writing the reply: the generator service, the bank when it is down, and the optional
emotion-consistency check (seed 002's metric used online: classify the reply and compare)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace

import grpc

from emotion_chat.errors import UpstreamError
from emotion_chat.personas import Persona
from emotion_chat.v1 import generator_pb2 as gen_pb
from generator_service.backends.bank import BankBackend
from generator_service.backends.base import GenerationInput, HistoryTurn
from generator_service.emotions import reply_emotion
from orchestrator.clients import ClassifierClient, GeneratorClient
from orchestrator.state import StoredTurn

# The emotion each Inside Out persona embodies, as a reply emotion: such a persona may answer
# in its own emotion as well as mirror the user's.
EMBODIED = {"joy": "행복", "anger": "분노", "fear": "불안", "sadness": "슬픔"}
_ROLES = {"user": gen_pb.ROLE_USER, "assistant": gen_pb.ROLE_ASSISTANT}


@dataclass(frozen=True, slots=True)
class Generation:
    text: str
    history: Sequence[StoredTurn]
    emotion: str
    score: float
    persona: Persona
    params: gen_pb.GenerationParams
    conversation_id: str
    deadline: float | None
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Written:
    text: str
    degraded: bool


@dataclass(frozen=True, slots=True)
class Checked:
    text: str
    attempts: int
    reply_emotion: str
    consistent: bool
    degraded: bool


def acceptable_emotions(emotion: str, persona: Persona) -> set[str]:
    accepted = {reply_emotion(emotion)}
    if persona.embodies in EMBODIED:
        accepted.add(EMBODIED[persona.embodies])
    return accepted


class ReplyWriter:
    def __init__(self, generator: GeneratorClient, classifier: ClassifierClient,
                 fallback: BankBackend, history_limit: int, max_regenerations: int) -> None:
        self._generator = generator
        self._classifier = classifier
        self._fallback = fallback
        self._history_limit = history_limit
        self._max_regenerations = max_regenerations

    def _request(self, g: Generation) -> gen_pb.GenerateRequest:
        recent = g.history[-self._history_limit:] if self._history_limit else ()
        return gen_pb.GenerateRequest(
            history=[gen_pb.Turn(role=_ROLES[t.role], text=t.text, emotion=t.emotion)
                     for t in recent],
            text=g.text, emotion=gen_pb.Emotion(label=g.emotion, score=g.score),
            persona=g.persona.id, params=g.params, conversation_id=g.conversation_id,
            avoid_replies=list(g.avoid))

    async def write(self, g: Generation, stream: bool) -> AsyncIterator[str | Written]:
        """Reply deltas (when stream) then Written; the bank answers if the generator fails
        before its first delta."""
        sent = False
        final: gen_pb.GenerateResponse | None = None
        try:
            async for item in self._generator.stream(self._request(g), g.deadline):
                if isinstance(item, str):
                    sent = True
                    if stream:
                        yield item
                else:
                    final = item
        except grpc.aio.AioRpcError as exc:
            if sent and stream:
                raise UpstreamError("the generator failed in the middle of the reply",
                                    grpc.StatusCode.UNAVAILABLE) from exc
            text = await self.bank_reply(g)
            if stream:
                yield text
            yield Written(text, degraded=True)
            return
        assert final is not None, "generator stream ended without its final event"
        yield Written(final.text, degraded=False)

    async def bank_reply(self, g: Generation) -> str:
        request = GenerationInput(
            history=tuple(HistoryTurn(t.role, t.text, t.emotion) for t in g.history),
            text=g.text, emotion=g.emotion, reply_emotion=reply_emotion(g.emotion),
            emotion_score=g.score, persona=g.persona, max_new_tokens=64, temperature=0.0,
            top_p=1.0, seed=g.params.seed if g.params.HasField("seed") else None,
            conversation_id=g.conversation_id, avoid_replies=g.avoid)
        pieces = [item async for item in self._fallback.stream(request)
                  if isinstance(item, str)]
        return "".join(pieces).strip()

    async def _write_whole(self, g: Generation) -> Written:
        async for item in self.write(g, stream=False):
            if isinstance(item, Written):
                return item
        raise AssertionError("write() ended without a result")

    async def check_consistency(self, g: Generation, first: Written, deadline: float | None
                                ) -> Checked:
        """Classify the reply; regenerate (avoiding rejected replies) until its emotion is one
        the persona should answer with, up to max_regenerations times."""
        accepted = acceptable_emotions(g.emotion, g.persona)
        current, attempts, degraded, rejected = first, 1, first.degraded, []
        while True:
            try:
                (found,) = await self._classifier.classify([current.text], deadline)
            except grpc.aio.AioRpcError:  # cannot check: keep the reply, unchecked
                return Checked(current.text, attempts, "", True, degraded)
            if reply_emotion(found.label) in accepted:
                return Checked(current.text, attempts, found.label, True, degraded)
            if attempts > self._max_regenerations:
                return Checked(current.text, attempts, found.label, False, degraded)
            rejected.append(current.text)
            params = gen_pb.GenerationParams()
            params.CopyFrom(g.params)
            if params.HasField("seed"):
                params.seed += attempts
            current = await self._write_whole(replace(g, avoid=tuple(rejected), params=params))
            degraded = degraded or current.degraded
            attempts += 1
