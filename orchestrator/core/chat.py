"""The chat core: one turn, end to end, for every front door.

validate → read the message (Kiwi morphemes: suicide and self-harm risk, its situation and
who or what it names) → take the conversation's lock → a retried request id: answer its
stored receipt, nothing else → load → dialogue policy (crisis
first, rule layer, classify, route) → generate (history + emotion + persona + situation) →
optional emotion-consistency check → commit the turn → answer with the reply, the emotion,
the persona and the stage timings.

Front doors build a `TurnRequest` and either await `chat()` (the whole result) or read
`open_turn()`'s events (the emotion, reply deltas, the result). A turn that fails, or whose
caller goes away before it is done, stores nothing: the commit is its last step under the
lock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from emotion_chat.errors import InvalidInputError, NotFoundError, PreconditionError, UpstreamError
from emotion_chat.language.morphs import analyse
from emotion_chat.personas import Persona, PersonaRegistry
from emotion_chat.situations import SENSITIVE, Situation, situation_of
from emotion_chat.situations.detect import Topic, detect
from emotion_chat.taxonomy import core_emotion, feeling_words
from emotion_chat.validation import check_text
from orchestrator.core.conversation import Conversation, ConversationState, StoredTurn
from orchestrator.core.labels import LabelSpace
from orchestrator.core.policy import Action, Decision, Pending, decide
from orchestrator.core.ports import (
    ClassifierPort,
    CrisisEvent,
    CrisisNotifier,
    RecommenderPort,
)
from orchestrator.core.receipts import Operation, Receipt, fingerprint
from orchestrator.core.rules import Rule, rule_line
from orchestrator.core.safety import Risk, RiskAssessment, Sensitivity, assess
from orchestrator.core.situation import fitting_emotion
from orchestrator.core.stream import Emit, TurnStream
from orchestrator.core.types import (
    REQUEST_ID,
    UNKNOWN_EMOTION,
    Degradation,
    DetectedEmotion,
    DialogueState,
    EmotionDetected,
    RegenerateRequest,
    ReplyDelta,
    ReplyKind,
    Role,
    Track,
    TurnCompleted,
    TurnRequest,
    TurnResult,
    check_conversation_id,
)
from orchestrator.core.writer import Generation, ReplyWriter
from orchestrator.metrics import OrchestratorMetrics
from orchestrator.settings import OrchestratorSettings
from orchestrator.store import ConversationStore

log = logging.getLogger(__name__)

REGENERABLE = (ReplyKind.GENERATED, ReplyKind.FALLBACK)
TOPIC_CARRY_TURNS = 2
"""A situation found in a message still frames the next turns that name none."""
CRISIS_CARE_TURNS = 6
"""After a crisis turn, replies stay non-playful for this many turns."""
# A situation that does not replace a recent one: "걱정돼서 잠이 안 와" after a sick cat is
# still about the cat.
FOLLOW_UPS = frozenset({Situation.SLEEP, Situation.HEALTH})


@dataclass(frozen=True, slots=True)
class Reading:
    """What the message itself says, before any model: risk, situation, question."""

    risk: RiskAssessment
    topic: Topic
    question: bool


def read(text: str, sensitivity: Sensitivity = Sensitivity.BALANCED) -> Reading:
    analysis = analyse(text)
    return Reading(assess(analysis, sensitivity), detect(analysis), analysis.is_question)


def carried_topic(found: Topic, stored: ConversationState) -> Topic:
    """The message's topic, or the conversation's recent one when it names none."""
    situation = situation_of(stored.situation)
    recent = situation is not None and \
        stored.total_turns - stored.topic_turn <= TOPIC_CARRY_TURNS
    if not recent:
        return found
    assert situation is not None
    if found.situation is None or (found.situation in FOLLOW_UPS
                                   and situation not in FOLLOW_UPS):
        return Topic(situation, stored.who, stored.what)
    if found.situation is situation:
        return Topic(situation, found.who or stored.who, found.what or stored.what)
    return found


def _ignore(event: object) -> None:
    return None


def _earliest(*times: float | None) -> float | None:
    given = [t for t in times if t is not None]
    return min(given) if given else None


class ChatCore:
    def __init__(self, store: ConversationStore, classifier: ClassifierPort,
                 writer: ReplyWriter, personas: PersonaRegistry,
                 settings: OrchestratorSettings, metrics: OrchestratorMetrics,
                 notifier: CrisisNotifier | None = None,
                 recommender: RecommenderPort | None = None) -> None:
        self.store = store
        self.notifier = notifier
        self.recommender = recommender
        self.classifier = classifier
        self.writer = writer
        self.personas = personas
        self.settings = settings
        self.metrics = metrics
        self.labels = LabelSpace(classifier, settings.answer_threshold,
                                 settings.confirm_threshold)

    async def start(self) -> None:
        """Read the classifier's labels (not fatal when it is not up yet)."""
        await self.labels.refresh(time.monotonic() + self.settings.classify_timeout_s)

    # -- validation (before anything is locked or stored) ---------------------------------

    def _check(self, conversation_id: str, persona: str, request_id: str | None
               ) -> Persona | None:
        check_conversation_id(conversation_id)
        if request_id is not None and not REQUEST_ID.match(request_id):
            raise InvalidInputError("request_id must be 1-128 printable ASCII characters")
        return self.personas.resolve(persona) if persona else None

    def prepare(self, request: TurnRequest) -> Persona | None:
        persona = self._check(request.conversation_id, request.persona, request.request_id)
        check_text(request.text, "text", self.settings.max_text_chars)
        request.params.validate()
        return persona

    # -- turns ----------------------------------------------------------------------------

    async def chat(self, request: TurnRequest) -> TurnResult:
        """One whole turn (nothing streamed)."""
        return await self._turn(request, self.prepare(request), _ignore)

    def open_turn(self, request: TurnRequest) -> TurnStream:
        """Validate, then run the turn in the background; read its events from the stream."""
        persona = self.prepare(request)
        return TurnStream(lambda emit: self._turn(request, persona, emit))

    async def regenerate(self, request: RegenerateRequest) -> TurnResult:
        return await self._regenerate(request, self._prepare_regenerate(request), _ignore)

    def open_regenerate(self, request: RegenerateRequest) -> TurnStream:
        persona = self._prepare_regenerate(request)
        return TurnStream(lambda emit: self._regenerate(request, persona, emit))

    def _prepare_regenerate(self, request: RegenerateRequest) -> Persona | None:
        persona = self._check(request.conversation_id, request.persona, request.request_id)
        request.params.validate()
        return persona

    def _lock_wait(self, *limits: float | None) -> float:
        until = _earliest(*limits)
        wait = self.settings.lock_wait_s
        return wait if until is None else max(0.001, min(wait, until - time.monotonic()))

    async def _turn(self, request: TurnRequest, persona: Persona | None, emit: Emit
                    ) -> TurnResult:
        clock, emit = _Clock.for_turn(request, emit)
        reading = read(request.text, self.settings.crisis_sensitivity)
        self.metrics.in_flight.inc()
        try:
            async with self.store.lock(request.conversation_id,
                                       self._lock_wait(request.deadline, request.reply_by)):
                clock.lap("lock")
                asked = fingerprint(Operation.TURN, request.text, request.persona)
                replayed = await self._replayed(request.conversation_id, request.request_id,
                                                asked)
                if replayed is not None:
                    return self._replay(replayed, clock, emit)
                conversation = await self.store.load(request.conversation_id)
                clock.lap("load")
                result, decision, topic = await self._answer(request, persona, conversation,
                                                             reading, clock, emit)
                await self._commit(request, conversation, result, decision, topic,
                                   named=reading.topic.situation is not None,
                                   receipt=self._receipt(request.request_id, asked, result))
                clock.lap("save")
        finally:
            self.metrics.in_flight.dec()
        return self._finish(result, clock, request.channel.value, emit)

    # -- idempotent retries ---------------------------------------------------------------

    async def _replayed(self, conversation_id: str, request_id: str | None, asked: str
                        ) -> TurnResult | None:
        """The stored answer when `request_id` was already committed in this conversation
        (checked under the lock: a retry that arrives while the first attempt still runs
        waits for it and then finds its receipt)."""
        if request_id is None:
            return None
        receipt = await self.store.receipt(conversation_id, request_id)
        return receipt.answer(asked) if receipt is not None else None

    @staticmethod
    def _receipt(request_id: str | None, asked: str, result: TurnResult) -> Receipt | None:
        return Receipt(request_id, asked, result) if request_id is not None else None

    def _replay(self, result: TurnResult, clock: _Clock, emit: Emit) -> TurnResult:
        """Answer a retry with the stored result: the same events a turn emits, no metrics
        of a new turn (it was counted when it ran)."""
        emit(EmotionDetected(result.emotion))
        emit(ReplyDelta(result.reply))
        result.timings = clock.finish()
        self.metrics.replayed.inc()
        log.info("conversation %s: request answered from its receipt (a retry)",
                 result.conversation_id)
        emit(TurnCompleted(result))
        return result

    def _finish(self, result: TurnResult, clock: _Clock, channel: str, emit: Emit
                ) -> TurnResult:
        result.timings = clock.finish()
        self.metrics.observe(result.timings)
        emotion = core_emotion(result.emotion.label) if result.emotion.known else "unknown"
        self.metrics.turns.labels(result.persona, emotion, result.kind.value, channel).inc()
        for reason in result.degraded:
            self.metrics.degraded.labels(reason.value).inc()
        emit(TurnCompleted(result))
        return result

    async def _answer(self, request: TurnRequest, persona: Persona | None,
                      conversation: Conversation, reading: Reading, clock: _Clock, emit: Emit
                      ) -> tuple[TurnResult, Decision, Topic]:
        stored = conversation.state
        speaker = persona or self._stored_persona(stored.persona)
        pending = Pending(*stored.pending) if stored.pending else None
        topic = carried_topic(reading.topic, stored)
        result = TurnResult(request.conversation_id, "", UNKNOWN_EMOTION, speaker.id,
                            ReplyKind.FALLBACK, DialogueState.IDLE, stored.total_turns,
                            situation=topic.situation.value if topic.situation else "")
        care = stored.crisis_turn >= 0 and \
            stored.total_turns - stored.crisis_turn <= CRISIS_CARE_TURNS
        sensitive = care or topic.situation in SENSITIVE
        decide_with = self._decider(stored.state, pending, request.text, reading,
                                    sensitive)
        decision = decide_with(None)
        if decision.action is Action.CLASSIFY:
            detected = await self._classify(request, decision.text, result)
            clock.lap("classify")
            # A possible risk is confirmed on the classifier's own reading (the crisis
            # detector's thresholds were chosen on it).
            decision = decide_with(detected if reading.risk.risk is not Risk.NONE
                                   else fitting_emotion(detected, topic.situation))
        result.state = decision.next_state
        result.emotion = decision.emotion if decision.emotion.known else decision.detected
        emit(EmotionDetected(result.emotion))
        if decision.action is Action.CRISIS:
            result.kind = ReplyKind.CRISIS
            result.reply = speaker.crisis_replies[stored.total_turns
                                                  % len(speaker.crisis_replies)]
            emit(ReplyDelta(result.reply))
            self._crisis(request, result, reading.risk)
            return result, decision, topic
        if decision.action is Action.RULE:
            assert decision.rule is not None
            result.kind, result.reply = ReplyKind.RULE, rule_line(decision.rule, speaker,
                                                                  stored.total_turns)
            emit(ReplyDelta(result.reply))
            return result, decision, topic
        if decision.action is Action.ASK:
            result.kind = ReplyKind.CONFIRM_QUESTION
            result.reply = speaker.confirm_template.format(
                feeling=feeling_words(decision.emotion.label))
            emit(ReplyDelta(result.reply))
            return result, decision, topic
        result.kind = (ReplyKind.GENERATED if decision.action is Action.GENERATE
                       else ReplyKind.FALLBACK)
        history = conversation.turns[:-2] if decision.answers_pending else conversation.turns
        generation = Generation(text=decision.text, history=history, emotion=decision.emotion,
                                persona=speaker, params=request.params,
                                conversation_id=request.conversation_id,
                                deadline=request.deadline, reply_by=request.reply_by,
                                topic=topic, sensitive=sensitive,
                                question=reading.question)
        # the songs depend only on the emotion: fetched while the reply is written
        songs = (asyncio.create_task(self._songs(decision.emotion, conversation, request))
                 if decision.action is Action.GENERATE and decision.emotion.known
                 and self.recommender is not None and self.settings.tracks_per_turn else None)
        try:
            await self._write(generation, decision.action is Action.GENERATE, result, clock,
                              emit)
        except BaseException:
            if songs is not None:
                songs.cancel()
            raise
        if songs is not None:
            tracks = await songs
            clock.lap("recommend")
            if tracks is None:
                result.degrade(Degradation.RECOMMENDER_UNAVAILABLE)
            else:
                result.tracks = tracks
        return result, decision, topic

    async def _songs(self, emotion: DetectedEmotion, conversation: Conversation,
                     request: TurnRequest) -> tuple[Track, ...] | None:
        """Songs for the reply's emotion, none the conversation already had; None when the
        recommender failed or was too slow (the turn goes on without them)."""
        assert self.recommender is not None
        given = tuple(dict.fromkeys(t for turn in conversation.turns for t in turn.tracks))
        until = _earliest(request.deadline, request.reply_by,
                          time.monotonic() + self.settings.recommend_timeout_s)
        try:
            return await self.recommender.recommend(
                core_emotion(emotion.label), self.settings.tracks_per_turn,
                request.conversation_id, given, until)
        except (UpstreamError, NotFoundError) as exc:
            log.warning("no songs for conversation %s: %s", request.conversation_id, exc)
            return None

    def _decider(self, state: DialogueState, pending: Pending | None, text: str,
                 reading: Reading, sensitive: bool
                 ) -> Callable[[DetectedEmotion | None], Decision]:
        def decide_with(emotion: DetectedEmotion | None) -> Decision:
            return decide(state, pending, text, emotion, self.labels.thresholds,
                          self.settings.rules, reading.risk, sensitive, reading.question)
        return decide_with

    def _crisis(self, request: TurnRequest, result: TurnResult, risk: RiskAssessment) -> None:
        """Count the crisis turn and hand it to a human operator when one is configured."""
        cue = risk.cue if risk.risk is not Risk.NONE else "unknown"
        self.metrics.crisis_turns.labels(request.channel.value, cue).inc()
        log.warning("crisis turn in conversation %s (channel %s, cue %s)",
                    request.conversation_id, request.channel.value, cue)
        if self.notifier is not None:
            self.notifier.notify(CrisisEvent(
                request.conversation_id, request.channel.value, result.turn_index,
                request.text, cue, result.persona, int(time.time() * 1000)))

    async def _write(self, generation: Generation, checked: bool, result: TurnResult,
                     clock: _Clock, emit: Emit) -> None:
        check = checked and self.settings.consistency_check
        written = await self.writer.write(
            generation, None if check else lambda delta: emit(ReplyDelta(delta)))
        clock.lap("generate")
        result.reply, result.attempts = written.text, 1
        if written.degraded is not None:
            result.degrade(written.degraded)
        if check:
            verdict = await self.writer.check_consistency(generation, written)
            clock.lap("consistency")
            result.reply, result.attempts = verdict.text, verdict.attempts
            result.reply_emotion, result.consistent = verdict.reply_emotion, verdict.consistent
            if verdict.degraded is not None:
                result.degrade(verdict.degraded)
            self.metrics.regenerations.inc(verdict.attempts - 1)
            emit(ReplyDelta(result.reply))

    async def _classify(self, request: TurnRequest, text: str, result: TurnResult
                        ) -> DetectedEmotion:
        deadline = _earliest(request.deadline, request.reply_by)
        try:
            classified = await self.classifier.classify([text], deadline)
        except UpstreamError:
            result.degrade(Degradation.CLASSIFIER_UNAVAILABLE)
            return UNKNOWN_EMOTION
        if not self.labels.is_current(classified.model_version):
            await self.labels.refresh(deadline)
        found = classified.results[0]
        return DetectedEmotion(found.label, found.score, found.top)

    def _stored_persona(self, persona_id: str) -> Persona:
        try:
            return self.personas.resolve(persona_id)
        except InvalidInputError:  # removed from the configuration since: use the default
            return self.personas.resolve("")

    async def _commit(self, request: TurnRequest, conversation: Conversation,
                      result: TurnResult, decision: Decision, topic: Topic,
                      named: bool, receipt: Receipt | None) -> None:
        """Store the turn; `named`: the message itself named a situation (the topic's age
        restarts)."""
        crisis = result.kind is ReplyKind.CRISIS
        user = StoredTurn(Role.USER, request.text, decision.detected.label,
                          decision.detected.score, channel=request.channel, crisis=crisis)
        bot = StoredTurn(Role.ASSISTANT, result.reply, decision.emotion.label,
                         decision.emotion.score, persona=result.persona, kind=result.kind,
                         answer_to=decision.text if decision.answers_pending else "",
                         degraded=tuple(result.degraded),
                         tracks=tuple(t.id for t in result.tracks))
        pending = decision.pending
        stored = conversation.state
        state = ConversationState(
            state=decision.next_state, persona=result.persona,
            pending_emotion=pending.emotion.label if pending else "",
            pending_score=pending.emotion.score if pending else 0.0,
            pending_text=pending.text if pending else "",
            total_turns=stored.total_turns + 1, updated_ms=bot.created_ms,
            situation=topic.situation.value if topic.situation else "", who=topic.who,
            what=topic.what,
            topic_turn=stored.total_turns if named else stored.topic_turn,
            crisis_turn=stored.total_turns if crisis else stored.crisis_turn)
        await self.store.commit(request.conversation_id, (user, bot), state, receipt=receipt)

    async def switch_persona(self, request: TurnRequest) -> TurnResult:
        """Make `request.persona` the conversation's persona; it introduces itself (a rule
        turn that stores the user's message and the introduction)."""
        persona = self.prepare(request)
        if persona is None:
            raise InvalidInputError("persona is required to switch personas")
        clock = _Clock()
        async with self.store.lock(request.conversation_id,
                                   self._lock_wait(request.deadline, request.reply_by)):
            clock.lap("lock")
            asked = fingerprint(Operation.SWITCH_PERSONA, request.text, persona.id)
            replayed = await self._replayed(request.conversation_id, request.request_id, asked)
            if replayed is not None:
                return self._replay(replayed, clock, _ignore)
            stored = (await self.store.load(request.conversation_id)).state
            clock.lap("load")
            result = TurnResult(request.conversation_id,
                                rule_line(Rule.NAME, persona, stored.total_turns),
                                UNKNOWN_EMOTION, persona.id, ReplyKind.RULE,
                                DialogueState.IDLE, stored.total_turns)
            user = StoredTurn(Role.USER, request.text, channel=request.channel)
            bot = StoredTurn(Role.ASSISTANT, result.reply, persona=persona.id,
                             kind=ReplyKind.RULE)
            await self.store.commit(request.conversation_id, (user, bot), ConversationState(
                persona=persona.id, total_turns=stored.total_turns + 1,
                updated_ms=bot.created_ms),
                receipt=self._receipt(request.request_id, asked, result))
            clock.lap("save")
        return self._finish(result, clock, request.channel.value, _ignore)

    # -- regenerate -----------------------------------------------------------------------

    async def _regenerate(self, request: RegenerateRequest, persona: Persona | None,
                          emit: Emit) -> TurnResult:
        clock = _Clock()
        async with self.store.lock(request.conversation_id, self._lock_wait(request.deadline)):
            clock.lap("lock")
            asked = fingerprint(Operation.REGENERATE, request.persona)
            replayed = await self._replayed(request.conversation_id, request.request_id, asked)
            if replayed is not None:
                return self._replay(replayed, clock, emit)
            conversation = await self.store.load(request.conversation_id)
            clock.lap("load")
            last = self._regenerable(conversation)
            stored = conversation.state
            speaker = persona or self._stored_persona(stored.persona)
            emotion = (DetectedEmotion(last.emotion, last.emotion_score,
                                       ((last.emotion, last.emotion_score),))
                       if last.emotion else UNKNOWN_EMOTION)
            emit(EmotionDetected(emotion))
            turns = conversation.turns
            generation = Generation(
                text=last.answer_to or turns[-2].text,
                history=turns[:-4] if last.answer_to else turns[:-2], emotion=emotion,
                persona=speaker, params=request.params,
                conversation_id=request.conversation_id, deadline=request.deadline)
            written = await self.writer.write_different(
                generation, last.text, self.settings.max_regenerations + 1)
            clock.lap("generate")
            emit(ReplyDelta(written.text))
            assert last.kind is not None
            result = TurnResult(request.conversation_id, written.text, emotion, speaker.id,
                                last.kind, stored.state, stored.total_turns - 1,
                                attempts=1, regenerated=True)
            if written.degraded is not None:
                result.degrade(written.degraded)
            bot = StoredTurn(Role.ASSISTANT, written.text, last.emotion, last.emotion_score,
                             persona=speaker.id, kind=last.kind, answer_to=last.answer_to,
                             degraded=tuple(result.degraded))
            await self.store.commit(request.conversation_id, (bot,),
                                    replace(stored, persona=speaker.id).touched(),
                                    replace_last=1,
                                    receipt=self._receipt(request.request_id, asked, result))
            clock.lap("save")
        self.metrics.regenerated.labels(request.channel.value).inc()
        return self._finish(result, clock, request.channel.value, emit)

    @staticmethod
    def _regenerable(conversation: Conversation) -> StoredTurn:
        if not conversation.exists:
            raise NotFoundError(f"no conversation {conversation.conversation_id!r}")
        turns = conversation.turns
        last = turns[-1] if turns else None
        if (last is None or last.role is not Role.ASSISTANT or len(turns) < 2
                or turns[-2].role is not Role.USER):
            raise PreconditionError("the conversation has no bot reply to regenerate")
        if last.kind not in REGENERABLE:
            what = last.kind.value.replace("_", " ") if last.kind else "stored message"
            raise PreconditionError(f"the last reply is a {what}; only generated and fallback "
                                    "replies can be regenerated")
        return last

    # -- conversations --------------------------------------------------------------------

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


class _Clock:
    """Stage timings of one turn (seconds). A chat turn's clock (`for_turn`) also traces
    the turn when tracing is on: a span for it and one per lap (orchestrator.tracing)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}
        self._on_lap: Callable[[str, float, float], None] | None = None
        self._on_finish: Callable[[float], None] | None = None

    @classmethod
    def for_turn(cls, request: TurnRequest, emit: Emit) -> tuple[_Clock, Emit]:
        """The clock of a chat turn and the `emit` to use with it (it completes the turn's
        span with the result)."""
        from orchestrator.tracing import start_turn

        clock = cls()
        turn = start_turn(request.conversation_id, request.channel.value, clock.start)
        if turn is None:
            return clock, emit
        clock._on_lap, clock._on_finish = turn.stage, turn.finish
        return clock, turn.observe(emit)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self.last
        if self._on_lap is not None:
            self._on_lap(stage, self.last, now)
        self.last = now

    def finish(self) -> dict[str, float]:
        now = time.perf_counter()
        if self._on_finish is not None:
            self._on_finish(now)
        total = now - self.start
        models = sum(self.stages.get(s, 0.0)
                     for s in ("classify", "generate", "consistency", "recommend"))
        return {**self.stages, "total": total, "overhead": max(0.0, total - models)}
