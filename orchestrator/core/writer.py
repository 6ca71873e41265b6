"""Writing the reply: the generator, the offline bank when it is down or too slow, and the
optional emotion-consistency check (the masking-BERT paper's metric used online: classify
the reply and compare its emotion with the one it should reflect)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from emotion_chat.errors import UpstreamError
from emotion_chat.personas import Persona, PersonaRegistry
from emotion_chat.replies import Query, ReplyBank, seed_for
from emotion_chat.situations.detect import NO_TOPIC, Topic
from emotion_chat.taxonomy import core_emotion, embodied_emotion
from orchestrator.core.conversation import StoredTurn
from orchestrator.core.ports import ClassifierPort, GeneratorPort, HistoryTurn, ReplyRequest
from orchestrator.core.types import Degradation, DetectedEmotion, GenerationParams, Role

OnDelta = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Generation:
    text: str
    history: Sequence[StoredTurn]
    emotion: DetectedEmotion
    persona: Persona
    params: GenerationParams
    conversation_id: str
    deadline: float | None
    reply_by: float | None = None
    avoid: tuple[str, ...] = ()
    topic: Topic = NO_TOPIC
    sensitive: bool = False
    question: bool = False


@dataclass(frozen=True, slots=True)
class Written:
    text: str
    degraded: Degradation | None = None


@dataclass(frozen=True, slots=True)
class Checked:
    text: str
    attempts: int
    reply_emotion: str
    consistent: bool
    degraded: Degradation | None


def acceptable_emotions(emotion: str, persona: Persona) -> set[str]:
    """The emotions a reply may show: the user's, or the one the persona embodies."""
    accepted = {core_emotion(emotion)}
    own = embodied_emotion(persona.embodies)
    if own is not None:
        accepted.add(own)
    return accepted


class FallbackReplies:
    """The orchestrator's own copy of the offline bank, for when the generator fails."""

    def __init__(self, personas: PersonaRegistry) -> None:
        self._banks = {persona.id: ReplyBank.load(persona) for persona in personas}

    def warm_up(self) -> None:
        """Analyse the banks' lines before SERVING, not when the generator first fails."""
        for bank in self._banks.values():
            bank.warm_up()

    def reply(self, g: Generation) -> str:
        avoid = [t.text for t in g.history if t.role is Role.ASSISTANT] + list(g.avoid)
        seed = g.params.seed if g.params.seed is not None else seed_for(
            g.conversation_id, len(g.history), g.text)
        query = Query(g.text, core_emotion(g.emotion.label), g.topic.situation, g.topic.who,
                      g.topic.what, g.sensitive, g.question)
        return self._banks[g.persona.id].choose(query, avoid, random.Random(seed))


class ReplyWriter:
    def __init__(self, generator: GeneratorPort, classifier: ClassifierPort,
                 fallback: FallbackReplies, history_limit: int, max_regenerations: int) -> None:
        self._generator = generator
        self._classifier = classifier
        self._fallback = fallback
        self._history_limit = history_limit
        self._max_regenerations = max_regenerations

    def _request(self, g: Generation) -> ReplyRequest:
        recent = g.history[-self._history_limit:] if self._history_limit else ()
        situation = g.topic.situation.value if g.topic.situation else ""
        return ReplyRequest(
            text=g.text, history=tuple(HistoryTurn(t.role, t.text, t.emotion) for t in recent),
            emotion=g.emotion.label, score=g.emotion.score, persona=g.persona.id,
            params=g.params, conversation_id=g.conversation_id, avoid=g.avoid,
            situation=situation, who=g.topic.who, what=g.topic.what, sensitive=g.sensitive,
            question=g.question)

    async def write(self, g: Generation, on_delta: OnDelta | None) -> Written:
        """The reply, its deltas passed to on_delta as they come (None: not streamed). The
        bank answers when the generator fails before its first streamed delta, or is not
        done by g.reply_by."""
        pieces: list[str] = []
        budget = (asyncio.timeout(max(0.0, g.reply_by - time.monotonic()))
                  if g.reply_by is not None else contextlib.nullcontext())
        try:
            async with budget:
                async for delta in self._generator.stream(self._request(g), g.deadline):
                    pieces.append(delta)
                    if on_delta is not None:
                        on_delta(delta)
        except UpstreamError as exc:
            if pieces and on_delta is not None:
                raise UpstreamError("the generator failed in the middle of the reply",
                                    exc.code) from exc
            return self._bank(g, on_delta, Degradation.GENERATOR_UNAVAILABLE)
        except TimeoutError:
            if pieces and on_delta is not None:
                raise
            return self._bank(g, on_delta, Degradation.GENERATOR_TOO_SLOW)
        return Written("".join(pieces).strip())

    async def write_different(self, g: Generation, old: str, attempts: int) -> Written:
        """A reply that differs from `old` (regeneration): the generator with other seeds up
        to `attempts` times, then the bank, which never repeats an avoided reply."""
        g = replace(g, avoid=(*g.avoid, old))
        for attempt in range(1, attempts + 1):
            written = await self.write(replace(g, params=g.params.next_seed(attempt)), None)
            if written.text and written.text != old:
                return written
        return Written(self._fallback.reply(g))

    def _bank(self, g: Generation, on_delta: OnDelta | None, reason: Degradation) -> Written:
        text = self._fallback.reply(g)
        if on_delta is not None:
            on_delta(text)
        return Written(text, reason)

    async def check_consistency(self, g: Generation, first: Written) -> Checked:
        """Classify the reply; regenerate (avoiding rejected replies) until its emotion is one
        the persona should answer with, up to max_regenerations times. When none is, the
        first reply stays: the generator ranked it best for the message."""
        accepted = acceptable_emotions(g.emotion.label, g.persona)
        current, attempts, degraded, rejected = first, 1, first.degraded, list(g.avoid)
        first_emotion = ""
        while True:
            try:
                found = (await self._classifier.classify([current.text], g.deadline)).results[0]
            except UpstreamError:  # cannot check: keep the reply, unchecked
                return Checked(current.text, attempts, "", True, degraded)
            if core_emotion(found.label) in accepted:
                return Checked(current.text, attempts, found.label, True, degraded)
            first_emotion = first_emotion or found.label
            out_of_time = g.reply_by is not None and time.monotonic() >= g.reply_by
            if attempts > self._max_regenerations or out_of_time:
                return Checked(first.text, attempts, first_emotion, False, degraded)
            rejected.append(current.text)
            current = await self.write(replace(g, avoid=tuple(rejected),
                                               params=g.params.next_seed(attempts)), None)
            degraded = degraded or current.degraded
            attempts += 1
