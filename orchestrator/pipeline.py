"""One chat turn, end to end: the orchestrator's shared core.

validate → take the conversation's lock → load → rule layer → classify → dialogue policy →
generate (history + emotion + persona) → optional emotion-consistency check → append the
turn and save → answer with the reply, the emotion, the persona and the stage timings.

`turn()` yields events (the emotion, reply deltas, the result); the unary RPC takes the
last one. A turn that fails, or whose caller goes away, stores nothing: the commit is the
last step inside the lock.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc

from emotion_chat.errors import InvalidInputError, NotFoundError
from emotion_chat.personas import Persona, PersonaRegistry
from emotion_chat.v1 import generator_pb2 as gen_pb
from emotion_chat.validation import check_text
from generator_service.emotions import reply_emotion
from orchestrator.clients import Classification, ClassifierClient
from orchestrator.generation import Generation, ReplyWriter
from orchestrator.metrics import OrchestratorMetrics
from orchestrator.policy import FEELINGS, Action, Answer, Thresholds, read_answer, route
from orchestrator.rules import rule_reply
from orchestrator.settings import OrchestratorSettings
from orchestrator.state import CONFIRM_EMOTION, IDLE, Conversation, DialogueState, StoredTurn
from orchestrator.store import ConversationStore

CONVERSATION_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
RULE, GENERATED, CONFIRM_QUESTION, FALLBACK = "rule", "generated", "confirm_question", "fallback"
CLASSIFIER_DOWN, GENERATOR_DOWN = "classifier_unavailable", "generator_unavailable"


@dataclass(frozen=True, slots=True)
class DetectedEmotion:
    label: str = ""
    score: float = 0.0
    top: tuple[tuple[str, float], ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.label)


@dataclass(frozen=True, slots=True)
class TurnRequest:
    conversation_id: str
    text: str
    persona: Persona | None
    params: gen_pb.GenerationParams
    deadline: float | None


@dataclass
class TurnResult:
    conversation_id: str
    reply: str
    emotion: DetectedEmotion
    persona: str
    kind: str
    state: str
    turn_index: int
    timings: dict[str, float] = field(default_factory=dict)
    degraded: list[str] = field(default_factory=list)
    attempts: int = 0
    reply_emotion: str = ""
    consistent: bool = True


def check_conversation_id(conversation_id: str) -> str:
    if not conversation_id:
        raise InvalidInputError("conversation_id is required")
    if not CONVERSATION_ID.match(conversation_id):
        raise InvalidInputError("conversation_id must be 1-128 characters of "
                                "letters, digits and . _ : @ -")
    return conversation_id


def check_params(params: gen_pb.GenerationParams, max_new_tokens: int = 1024) -> None:
    if params.max_new_tokens > max_new_tokens:
        raise InvalidInputError(f"params.max_new_tokens {params.max_new_tokens} is over the "
                                f"limit of {max_new_tokens}")
    if params.HasField("temperature") and not 0 <= params.temperature <= 2:
        raise InvalidInputError(f"params.temperature {params.temperature} is outside [0, 2]")
    if params.HasField("top_p") and not 0 < params.top_p <= 1:
        raise InvalidInputError(f"params.top_p {params.top_p} is outside (0, 1]")


class ChatPipeline:
    def __init__(self, store: ConversationStore, classifier: ClassifierClient,
                 writer: ReplyWriter, personas: PersonaRegistry,
                 settings: OrchestratorSettings, metrics: OrchestratorMetrics) -> None:
        self.store = store
        self.classifier = classifier
        self.writer = writer
        self.personas = personas
        self.settings = settings
        self.metrics = metrics
        # Label count of the classifier's model (from its answers): picks the thresholds.
        self._label_count = 7

    def prepare(self, conversation_id: str, text: str, persona: str,
                params: gen_pb.GenerationParams, deadline: float | None) -> TurnRequest:
        """Validate before anything is locked or stored."""
        check_conversation_id(conversation_id)
        check_text(text, "text", self.settings.max_text_chars)
        resolved = self.personas.resolve(persona) if persona else None
        check_params(params)
        return TurnRequest(conversation_id, text, resolved, params, deadline)

    def thresholds(self, label_count: int) -> Thresholds:
        return Thresholds.for_labels(label_count, self.settings.answer_threshold,
                                     self.settings.confirm_threshold)

    async def turn(self, request: TurnRequest
                   ) -> AsyncIterator[DetectedEmotion | str | TurnResult]:
        """Events of one turn: the emotion, reply deltas, then the TurnResult."""
        clock = _Clock()
        self.metrics.in_flight.inc()
        try:
            async with self.store.lock(request.conversation_id, self.settings.lock_wait_s):
                clock.lap("lock")
                conversation = await self.store.load(request.conversation_id)
                clock.lap("load")
                result: TurnResult | None = None
                async for event in self._answer(request, conversation, clock):
                    if isinstance(event, TurnResult):
                        result = event
                    else:
                        yield event
                assert result is not None
                await self._commit(request, conversation, result)
                clock.lap("save")
        finally:
            self.metrics.in_flight.dec()
        result.timings = clock.finish()
        self.metrics.observe(result.timings)
        self.metrics.turns.labels(
            result.persona, reply_emotion(result.emotion.label) if result.emotion.known
            else "unknown", result.kind).inc()
        for reason in result.degraded:
            self.metrics.degraded.labels(reason).inc()
        yield result

    async def _answer(self, request: TurnRequest, conversation: Conversation, clock: _Clock
                      ) -> AsyncIterator[DetectedEmotion | str | TurnResult]:
        dialogue = conversation.dialogue
        persona = request.persona or self._stored_persona(dialogue.persona)
        turn_index = dialogue.total_turns
        result = TurnResult(request.conversation_id, "", DetectedEmotion(), persona.id, "",
                            IDLE, turn_index)
        answer = read_answer(request.text) if dialogue.state == CONFIRM_EMOTION else Answer.OTHER
        history = conversation.turns
        text = request.text
        rule = (rule_reply(request.text, persona, turn_index)
                if self.settings.rules and answer is Answer.OTHER else None)
        if rule is not None:
            result.reply, result.kind = rule, RULE
            yield result.emotion
            yield rule
            yield result
            return
        if answer is Answer.OTHER:
            result.emotion = await self._classify(request, result)
            clock.lap("classify")
            action = route(result.emotion.score if result.emotion.known else None,
                           self.thresholds(self._label_count))
        else:  # the user answered the confirmation question about the pending message
            text, history = dialogue.pending_text, conversation.turns[:-2]
            if answer is Answer.YES:
                result.emotion = DetectedEmotion(dialogue.pending_emotion, dialogue.pending_score,
                                                 ((dialogue.pending_emotion,
                                                   dialogue.pending_score),))
                action = Action.GENERATE
            else:
                action = Action.FALLBACK
        yield result.emotion
        if action is Action.ASK:
            feeling = FEELINGS.get(reply_emotion(result.emotion.label), "그런")
            result.reply = persona.confirm_template.format(feeling=feeling)
            result.kind, result.state = CONFIRM_QUESTION, CONFIRM_EMOTION
            yield result.reply
            yield result
            return
        emotion = result.emotion if action is Action.GENERATE else DetectedEmotion()
        result.kind = GENERATED if action is Action.GENERATE else FALLBACK
        generation = Generation(text=text, history=history, emotion=emotion.label,
                                score=emotion.score, persona=persona, params=request.params,
                                conversation_id=request.conversation_id,
                                deadline=request.deadline)
        check = self.settings.consistency_check and action is Action.GENERATE
        async for item in self.writer.write(generation, stream=not check):
            if isinstance(item, str):
                yield item
            else:
                written = item
        clock.lap("generate")
        result.reply, result.attempts = written.text, 1
        if written.degraded:
            result.degraded.append(GENERATOR_DOWN)
        if check:
            checked = await self.writer.check_consistency(generation, written, request.deadline)
            clock.lap("consistency")
            result.reply, result.attempts = checked.text, checked.attempts
            result.reply_emotion, result.consistent = checked.reply_emotion, checked.consistent
            if checked.degraded and GENERATOR_DOWN not in result.degraded:
                result.degraded.append(GENERATOR_DOWN)
            self.metrics.regenerations.inc(checked.attempts - 1)
            yield result.reply
        yield result

    async def _classify(self, request: TurnRequest, result: TurnResult) -> DetectedEmotion:
        try:
            (found,) = await self.classifier.classify([request.text], request.deadline)
        except grpc.aio.AioRpcError:
            result.degraded.append(CLASSIFIER_DOWN)
            return DetectedEmotion()
        self._label_count = found.label_count
        return _detected(found)

    def _stored_persona(self, persona_id: str) -> Persona:
        try:
            return self.personas.resolve(persona_id)
        except InvalidInputError:  # removed from the configuration since: use the default
            return self.personas.resolve("")

    async def _commit(self, request: TurnRequest, conversation: Conversation,
                      result: TurnResult) -> None:
        dialogue = conversation.dialogue
        user = StoredTurn("user", request.text, result.emotion.label
                          if result.kind != RULE else "", result.emotion.score)
        bot = StoredTurn("assistant", result.reply, persona=result.persona, kind=result.kind)
        asked = result.state == CONFIRM_EMOTION
        updated = DialogueState(
            state=result.state, persona=result.persona,
            pending_emotion=result.emotion.label if asked else "",
            pending_score=result.emotion.score if asked else 0.0,
            pending_text=request.text if asked else "",
            total_turns=dialogue.total_turns + 1, updated_ms=bot.created_ms)
        await self.store.commit(request.conversation_id, (user, bot), updated)

    async def conversation(self, conversation_id: str) -> Conversation:
        check_conversation_id(conversation_id)
        conversation = await self.store.load(conversation_id)
        if not conversation.exists:
            raise NotFoundError(f"no conversation {conversation_id!r}")
        return conversation

    async def delete(self, conversation_id: str) -> bool:
        """Erase everything; waits for a turn in progress so it cannot write back after."""
        check_conversation_id(conversation_id)
        async with self.store.lock(conversation_id, self.settings.lock_wait_s):
            return await self.store.delete(conversation_id)


def _detected(found: Classification) -> DetectedEmotion:
    return DetectedEmotion(found.label, found.score, found.top)


class _Clock:
    """Stage timings of one turn (seconds)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self.last
        self.last = now

    def finish(self) -> dict[str, float]:
        total = time.perf_counter() - self.start
        models = sum(self.stages.get(s, 0.0) for s in ("classify", "generate", "consistency"))
        return {**self.stages, "total": total, "overhead": max(0.0, total - models)}

