"""The chat core with ports the tests control: streaming, locking, regenerate, budgets,
thresholds from the classifier's model info."""

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

import pytest
from prometheus_client import CollectorRegistry

from emotion_chat.errors import ErrorCode, NotFoundError, PreconditionError, UpstreamError
from emotion_chat.personas import CRISIS_LINES, PersonaRegistry
from emotion_chat.taxonomy import AIHUB_SUB_EMOTIONS, CORE_LABELS, INSIDE_OUT_LABELS
from orchestrator.core.chat import ChatCore
from orchestrator.core.ports import (
    AudioRange,
    Classification,
    Classified,
    CrisisEvent,
    ModelInfo,
    ReplyRequest,
)
from orchestrator.core.types import (
    Channel,
    Degradation,
    DialogueState,
    EmotionDetected,
    GenerationParams,
    RegenerateRequest,
    ReplyDelta,
    ReplyKind,
    Track,
    TurnCompleted,
    TurnRequest,
)
from orchestrator.core.writer import FallbackReplies, ReplyWriter
from orchestrator.metrics import OrchestratorMetrics
from orchestrator.settings import OrchestratorSettings
from orchestrator.store import MemoryStore

PERSONAS = PersonaRegistry.load()


class FakeClassifier:
    def __init__(self, label: str = "불안", score: float = 0.9,
                 labels: Sequence[str] = CORE_LABELS, multi: bool = False) -> None:
        self.label, self.score = label, score
        self.labels, self.multi, self.version = tuple(labels), multi, "v1"
        self.info_calls = 0
        self.down = False

    async def classify(self, texts: Sequence[str], deadline: float | None = None) -> Classified:
        if self.down:
            raise UpstreamError("the classifier failed: UNAVAILABLE", ErrorCode.UNAVAILABLE)
        found = Classification(self.label, self.score, ((self.label, self.score),))
        return Classified([found for _ in texts], self.version)

    async def model_info(self, deadline: float | None = None) -> ModelInfo:
        self.info_calls += 1
        return ModelInfo("fake", self.version, self.labels, self.multi)


class FakeGenerator:
    """Streams `reply` word by word, after `delay_s`; `fail` raises before the first word."""

    def __init__(self, reply: str = "그랬구나 많이 떨리겠다 내가 응원할게") -> None:
        self.reply = reply
        self.delay_s = 0.0
        self.fail = False
        self.requests: list[ReplyRequest] = []
        self.words = 0

    async def stream(self, request: ReplyRequest, deadline: float | None = None
                     ) -> AsyncIterator[str]:
        self.requests.append(request)
        await asyncio.sleep(self.delay_s)
        if self.fail:
            raise UpstreamError("the generator failed: UNAVAILABLE", ErrorCode.UNAVAILABLE)
        for word in self.reply.split(" "):
            self.words += 1
            yield word + " "
            await asyncio.sleep(0)


def make_core(classifier: FakeClassifier | None = None, generator: FakeGenerator | None = None,
              **settings: object) -> ChatCore:
    s = OrchestratorSettings(**{"answer_threshold": 0.5, "confirm_threshold": 0.3, **settings})
    classifier = classifier or FakeClassifier()
    generator = generator or FakeGenerator()
    writer = ReplyWriter(generator, classifier, FallbackReplies(PERSONAS), s.history_turns,
                         s.max_regenerations)
    return ChatCore(MemoryStore(s.conversation_ttl_s, s.max_stored_turns), classifier, writer,
                    PERSONAS, s, OrchestratorMetrics(CollectorRegistry()))


async def test_events_come_in_order_and_the_result_is_stored() -> None:
    core = make_core()
    async with core.open_turn(TurnRequest("c1", "내일 면접이야", channel=Channel.HTTP)) as turn:
        events = [event async for event in turn]
    assert isinstance(events[0], EmotionDetected) and events[0].emotion.label == "불안"
    assert all(isinstance(e, ReplyDelta) for e in events[1:-1])
    assert isinstance(events[-1], TurnCompleted)
    result = events[-1].result
    assert "".join(e.text for e in events[1:-1]).strip() == result.reply
    stored = await core.conversation("c1")
    assert [t.text for t in stored.turns] == ["내일 면접이야", result.reply]
    assert stored.turns[0].channel is Channel.HTTP and stored.turns[1].emotion == "불안"


async def test_a_slow_reader_does_not_hold_the_conversation_lock() -> None:
    generator = FakeGenerator(" ".join(f"단어{i}" for i in range(200)))
    core = make_core(generator=generator, lock_wait_s=2.0)
    first = core.open_turn(TurnRequest("slow", "첫 번째 메시지"))
    iterator = aiter(first)
    assert isinstance(await anext(iterator), EmotionDetected)
    # The reader stops reading here; the turn still finishes, commits and unlocks.
    started = time.monotonic()
    second = await core.chat(TurnRequest("slow", "두 번째 메시지"))
    assert time.monotonic() - started < 1.5
    assert second.turn_index == 1
    rest = [event async for event in iterator]
    assert isinstance(rest[-1], TurnCompleted) and rest[-1].result.turn_index == 0
    await first.aclose()


async def test_a_reader_that_goes_away_cancels_the_turn_and_nothing_is_stored() -> None:
    generator = FakeGenerator()
    generator.delay_s = 5.0
    core = make_core(generator=generator)
    turn = core.open_turn(TurnRequest("gone", "금방 끊을게"))
    assert isinstance(await anext(aiter(turn)), EmotionDetected)
    await turn.aclose()
    with pytest.raises(NotFoundError):
        await core.conversation("gone")
    await core.chat(TurnRequest("gone", "다시 왔어"))  # the lock was released


async def test_regenerate_replaces_the_last_reply_with_a_different_one() -> None:
    generator = FakeGenerator()
    core = make_core(generator=generator)
    first = await core.chat(TurnRequest("regen", "내일 면접이야"))
    again = await core.regenerate(RegenerateRequest("regen"))
    # The generator repeats itself: the bank answers instead, never the same reply.
    assert again.reply != first.reply and again.regenerated
    assert (again.turn_index, again.kind, again.emotion.label) == (0, ReplyKind.GENERATED, "불안")
    assert generator.requests[-1].avoid == (first.reply,)
    stored = await core.conversation("regen")
    assert [t.text for t in stored.turns] == ["내일 면접이야", again.reply]
    assert stored.state.total_turns == 1


async def test_regenerate_needs_a_regenerable_reply() -> None:
    core = make_core(FakeClassifier(score=0.4))  # between the thresholds: a confirm question
    with pytest.raises(NotFoundError):
        await core.regenerate(RegenerateRequest("nothing-here"))
    asked = await core.chat(TurnRequest("asked", "잠이 안 와"))
    assert asked.kind is ReplyKind.CONFIRM_QUESTION
    with pytest.raises(PreconditionError, match="confirm question"):
        await core.regenerate(RegenerateRequest("asked"))


async def test_regenerating_an_answer_to_a_confirmation_is_about_the_pending_message() -> None:
    generator = FakeGenerator()
    core = make_core(FakeClassifier(score=0.4), generator)
    await core.chat(TurnRequest("yes", "잠이 안 와"))
    answered = await core.chat(TurnRequest("yes", "응"))
    assert answered.kind is ReplyKind.GENERATED and generator.requests[-1].text == "잠이 안 와"
    await core.regenerate(RegenerateRequest("yes", params=GenerationParams(seed=7)))
    assert generator.requests[-1].text == "잠이 안 와"
    assert generator.requests[-1].history == ()  # the question and the "응" are left out


async def test_thresholds_follow_the_classifiers_model_info_and_its_version() -> None:
    classifier = FakeClassifier(label="불안", score=0.7, labels=INSIDE_OUT_LABELS, multi=True)
    core = make_core(classifier, answer_threshold=None, confirm_threshold=None)
    await core.start()
    assert core.labels.thresholds.answer == 0.8  # the FSM bot's 0.8/0.6 for 4 labels
    asked = await core.chat(TurnRequest("th", "발표가 걱정돼"))
    assert asked.kind is ReplyKind.CONFIRM_QUESTION and classifier.info_calls == 1
    classifier.labels, classifier.multi, classifier.version = AIHUB_SUB_EMOTIONS, False, "v2"
    answered = await core.chat(TurnRequest("th2", "발표가 걱정돼"))
    assert classifier.info_calls == 2 and core.labels.thresholds.answer == 0.35
    assert answered.kind is ReplyKind.GENERATED


async def test_a_reply_budget_is_kept_with_the_bank() -> None:
    generator = FakeGenerator()
    generator.delay_s = 3.0
    core = make_core(generator=generator)
    started = time.monotonic()
    result = await core.chat(TurnRequest("budget", "내일 면접이야",
                                         reply_by=time.monotonic() + 0.3))
    assert time.monotonic() - started < 1.0
    assert result.degraded == [Degradation.GENERATOR_TOO_SLOW] and result.reply
    assert (await core.conversation("budget")).turns[-1].text == result.reply


async def test_downstream_failures_degrade_instead_of_failing() -> None:
    classifier, generator = FakeClassifier(), FakeGenerator()
    classifier.down, generator.fail = True, True
    core = make_core(classifier, generator)
    result = await core.chat(TurnRequest("down", "아무도 없어?"))
    assert result.kind is ReplyKind.FALLBACK and result.reply
    assert result.degraded == [Degradation.CLASSIFIER_UNAVAILABLE,
                               Degradation.GENERATOR_UNAVAILABLE]


async def test_switching_persona_stores_the_choice_and_introduces_it() -> None:
    core = make_core()
    switched = await core.switch_persona(TurnRequest("sw", "기쁨이랑 얘기하기", "기쁨이"))
    assert switched.kind is ReplyKind.RULE and switched.persona == "joy"
    assert switched.reply in PERSONAS.resolve("joy").introductions
    assert switched.state is DialogueState.IDLE
    later = await core.chat(TurnRequest("sw", "오늘 좀 힘들었어"))
    assert later.persona == "joy"


class RecordingNotifier:
    def __init__(self) -> None:
        self.events: list[CrisisEvent] = []

    def notify(self, event: CrisisEvent) -> None:
        self.events.append(event)


async def test_a_crisis_is_answered_with_care_and_the_crisis_lines_first() -> None:
    generator, notifier = FakeGenerator(), RecordingNotifier()
    core = make_core(FakeClassifier(label="행복", score=0.99), generator)
    core.notifier = notifier
    for persona in ("bingbong", "anger", "joy"):
        result = await core.chat(TurnRequest(f"crisis-{persona}", "안녕... 나 그냥 죽고 싶어",
                                             persona, channel=Channel.KAKAO))
        assert result.kind is ReplyKind.CRISIS and result.persona == persona
        assert all(line in result.reply for line in CRISIS_LINES)
        assert result.reply in PERSONAS.resolve(persona).crisis_replies
    assert generator.requests == []  # no generated joke, no mirrored emotion
    stored = await core.conversation("crisis-anger")
    assert stored.turns[0].crisis and stored.turns[1].kind is ReplyKind.CRISIS
    assert stored.state.crisis_turn == 0
    assert [e.conversation_id for e in notifier.events] == [
        "crisis-bingbong", "crisis-anger", "crisis-joy"]
    assert notifier.events[0].channel == "kakao" and notifier.events[0].cue
    assert core.metrics.crisis_turns.labels("kakao", notifier.events[0].cue)._value.get() >= 1
    # the turns after a crisis stay gentle: the generator is told not to be playful
    await core.chat(TurnRequest("crisis-anger", "오늘 점심 뭐 먹지?"))
    assert generator.requests[-1].sensitive


async def test_the_situation_reaches_the_generator_and_carries_over() -> None:
    generator = FakeGenerator()
    core = make_core(FakeClassifier(label="불안", score=0.9), generator)
    first = await core.chat(TurnRequest("topic", "우리 고양이가 아파서 걱정돼"))
    assert first.situation == "pet"
    request = generator.requests[-1]
    assert (request.situation, request.who, request.question) == ("pet", "고양이", False)
    second = await core.chat(TurnRequest("topic", "걱정돼서 잠이 안 와"))
    assert second.situation == "pet" and generator.requests[-1].who == "고양이"
    third = await core.chat(TurnRequest("topic", "점심 뭐 먹지?"))
    assert third.situation == "food" and generator.requests[-1].question


class FakeRecommender:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, str, tuple[str, ...]]] = []
        self.fail = False
        self.delay_s = 0.0
        self.round = 0

    async def recommend(self, emotion: str, k: int, conversation_id: str,
                        exclude_ids: Sequence[str], deadline: float | None = None
                        ) -> tuple[Track, ...]:
        self.calls.append((emotion, k, conversation_id, tuple(exclude_ids)))
        await asyncio.sleep(self.delay_s)
        if self.fail:
            raise UpstreamError("the recommender failed: UNAVAILABLE", ErrorCode.UNAVAILABLE)
        self.round += 1
        return tuple(Track(f"{emotion}-{self.round}-{i}", f"곡 {i}", "악단", (emotion,), 30.0,
                           "audio/ogg") for i in range(k))

    async def similar(self, track_id: str, k: int, deadline: float | None = None
                      ) -> tuple[Track, ...]:
        raise NotFoundError(track_id)

    async def read_audio(self, track_id: str, offset: int, length: int,
                         deadline: float | None = None) -> AudioRange:
        raise NotFoundError(track_id)


async def test_a_generated_turn_carries_songs_for_its_emotion() -> None:
    recommender = FakeRecommender()
    core = make_core(FakeClassifier("불안", 0.9), tracks_per_turn=5)
    core.recommender = recommender
    first = await core.chat(TurnRequest("songs", "내일 면접이라 너무 떨려"))
    assert first.kind is ReplyKind.GENERATED and len(first.tracks) == 5
    assert recommender.calls[0][:3] == ("불안", 5, "songs")
    assert first.timings["recommend"] >= 0
    # the next turn excludes what the conversation already had
    await core.chat(TurnRequest("songs", "진짜 잘할 수 있을까"))
    assert set(recommender.calls[1][3]) == {t.id for t in first.tracks}
    stored = await core.conversation("songs")
    assert stored.turns[1].tracks == tuple(t.id for t in first.tracks)


async def test_no_songs_for_crisis_turns_confirm_questions_or_rules() -> None:
    recommender = FakeRecommender()
    core = make_core(FakeClassifier("슬픔", 0.4))  # between the thresholds: a confirm question
    core.recommender = recommender
    asked = await core.chat(TurnRequest("quiet", "그냥 그래"))
    assert asked.kind is ReplyKind.CONFIRM_QUESTION and not asked.tracks
    crisis = await core.chat(TurnRequest("quiet2", "진짜 죽고 싶다"))
    assert crisis.kind is ReplyKind.CRISIS and not crisis.tracks
    rule = await core.chat(TurnRequest("quiet3", "안녕"))
    assert rule.kind is ReplyKind.RULE and not rule.tracks
    assert recommender.calls == []


async def test_the_turn_answers_without_songs_when_the_recommender_fails_or_is_slow() -> None:
    recommender = FakeRecommender()
    recommender.fail = True
    core = make_core(FakeClassifier("행복", 0.9), recommend_timeout_s=0.05)
    core.recommender = recommender
    failed = await core.chat(TurnRequest("down", "시험 합격했어!"))
    assert failed.kind is ReplyKind.GENERATED and failed.reply and not failed.tracks
    assert failed.degraded == [Degradation.RECOMMENDER_UNAVAILABLE]
    recommender.fail, recommender.delay_s = False, 5.0

    class Deadline(FakeRecommender):
        async def recommend(self, emotion: str, k: int, conversation_id: str,
                            exclude_ids: Sequence[str], deadline: float | None = None
                            ) -> tuple[Track, ...]:
            assert deadline is not None and deadline - time.monotonic() <= 0.05
            raise UpstreamError("the recommender failed: DEADLINE_EXCEEDED",
                                ErrorCode.DEADLINE_EXCEEDED)

    core.recommender = Deadline()
    slow = await core.chat(TurnRequest("slow", "오늘 날씨 최고!"))
    assert slow.degraded == [Degradation.RECOMMENDER_UNAVAILABLE]


async def test_a_retried_request_id_is_answered_from_its_receipt_and_stored_once() -> None:
    generator = FakeGenerator()
    core = make_core(generator=generator)
    first = await core.chat(TurnRequest("idem", "내일 면접이야", request_id="r-1"))
    again = await core.chat(TurnRequest("idem", "내일 면접이야", request_id="r-1"))
    assert again.replayed and not first.replayed
    assert (again.reply, again.turn_index, again.kind) == (first.reply, 0, first.kind)
    assert len(generator.requests) == 1  # nothing ran again
    assert len((await core.conversation("idem")).turns) == 2
    # streamed retries get the same events as the turn had
    async with core.open_turn(TurnRequest("idem", "내일 면접이야", request_id="r-1")) as turn:
        events = [event async for event in turn]
    assert isinstance(events[0], EmotionDetected) and events[1] == ReplyDelta(first.reply)
    assert isinstance(events[-1], TurnCompleted) and events[-1].result.replayed
    with pytest.raises(PreconditionError, match="already used for a different request"):
        await core.chat(TurnRequest("idem", "다른 얘기", request_id="r-1"))
    second = await core.chat(TurnRequest("idem", "다른 얘기", request_id="r-2"))
    assert second.turn_index == 1 and not second.replayed
    assert core.metrics.replayed._value.get() == 2


async def test_a_retry_that_arrives_while_the_first_attempt_runs_waits_for_it() -> None:
    generator = FakeGenerator()
    generator.delay_s = 0.3
    core = make_core(generator=generator)
    request = TurnRequest("idem2", "발표가 걱정돼", request_id="same")
    first, retry = await asyncio.gather(core.chat(request), core.chat(request))
    assert retry.replayed and retry.reply == first.reply
    assert len(generator.requests) == 1
    assert len((await core.conversation("idem2")).turns) == 2


async def test_regenerate_is_idempotent_too() -> None:
    generator = FakeGenerator()
    core = make_core(generator=generator)
    await core.chat(TurnRequest("idem3", "내일 면접이야"))
    generator.reply = "긴장되는 게 당연해 잘할 거야"
    first = await core.regenerate(RegenerateRequest("idem3", request_id="g-1"))
    generator.reply = "또 다른 답"
    again = await core.regenerate(RegenerateRequest("idem3", request_id="g-1"))
    assert again.replayed and again.reply == first.reply
    assert (await core.conversation("idem3")).turns[-1].text == first.reply
