"""The generator's shared core: validation, persona and emotion resolution, metrics.

The gRPC servicer is a thin adapter: unary and streaming RPCs both go through `stream()`.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from emotion_chat.errors import EmotionChatError, InvalidInputError
from emotion_chat.personas import PersonaRegistry
from emotion_chat.situations import Situation, situation_of
from emotion_chat.taxonomy import core_emotion
from emotion_chat.validation import check_text
from generator_service.backends.base import (
    Completion,
    GenerationBackend,
    GenerationInput,
    HistoryTurn,
)
from generator_service.metrics import GeneratorMetrics
from generator_service.settings import GeneratorSettings

ROLES = ("user", "assistant")
MAX_NAME_CHARS = 40


@dataclass(frozen=True, slots=True)
class GenerationResult:
    text: str
    persona: str
    backend: str
    model: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    time_to_first_token_s: float
    total_s: float


class GeneratorCore:
    def __init__(self, backend: GenerationBackend, personas: PersonaRegistry,
                 settings: GeneratorSettings, metrics: GeneratorMetrics) -> None:
        self.backend = backend
        self.personas = personas
        self.settings = settings
        self.metrics = metrics

    def prepare(self, *, text: object, history: Sequence[tuple[str, str, str]] = (),
                emotion: str = "", emotion_score: float = 0.0, persona: str = "",
                max_new_tokens: int = 0, temperature: float | None = None,
                top_p: float | None = None, seed: int | None = None,
                conversation_id: str = "", deadline: float | None = None,
                avoid_replies: Sequence[str] = (), situation: str = "", who: str = "",
                what: str = "", sensitive: bool = False, question: bool = False
                ) -> GenerationInput:
        """Validate a request; history items are (role, text, emotion)."""
        s = self.settings
        checked = check_text(text, "text", s.max_text_chars)
        resolved = self.personas.resolve(persona)
        if len(history) > s.max_request_turns:
            raise InvalidInputError(f"history has {len(history)} turns, more than the limit of "
                                    f"{s.max_request_turns}")
        turns = []
        for i, (role, turn_text, turn_emotion) in enumerate(history):
            if role not in ROLES:
                raise InvalidInputError(f"history[{i}].role must be user or assistant")
            check_text(turn_text, f"history[{i}].text", s.max_text_chars * 4)
            turns.append(HistoryTurn(role, turn_text, turn_emotion))
        if max_new_tokens > s.max_new_tokens_limit:
            raise InvalidInputError(f"max_new_tokens {max_new_tokens} is over the limit of "
                                    f"{s.max_new_tokens_limit}")
        if temperature is not None and not (0 <= temperature <= 2):
            raise InvalidInputError(f"temperature {temperature} is outside [0, 2]")
        if top_p is not None and not (0 < top_p <= 1):
            raise InvalidInputError(f"top_p {top_p} is outside (0, 1]")
        if not math.isfinite(emotion_score) or not (0 <= emotion_score <= 1):
            raise InvalidInputError(f"emotion.score {emotion_score} is outside [0, 1]")
        if situation and situation_of(situation) is None:
            known = ", ".join(x.value for x in Situation)
            raise InvalidInputError(f"unknown situation {situation!r}; known: {known}")
        for name, value in (("who", who), ("what", what)):
            if len(value) > MAX_NAME_CHARS:
                raise InvalidInputError(f"{name} has {len(value)} characters, more than "
                                        f"{MAX_NAME_CHARS}")
        kept = tuple(turns[-s.max_history_turns:]) if s.max_history_turns else ()
        return GenerationInput(
            history=kept, text=checked, emotion=emotion.strip(),
            reply_emotion=core_emotion(emotion), emotion_score=emotion_score,
            persona=resolved, max_new_tokens=max_new_tokens or s.max_new_tokens,
            temperature=s.temperature if temperature is None else temperature,
            top_p=s.top_p if top_p is None else top_p, seed=seed,
            conversation_id=conversation_id, deadline=deadline,
            avoid_replies=tuple(avoid_replies), situation=situation, who=who.strip(),
            what=what.strip(), sensitive=sensitive, question=question)

    async def stream(self, request: GenerationInput) -> AsyncIterator[str | GenerationResult]:
        """Text deltas, then one GenerationResult."""
        backend = self.backend.name
        labels = (backend, request.persona.id)
        in_flight = self.metrics.in_flight.labels(backend)
        start = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        completion: Completion | None = None
        in_flight.inc()
        try:
            async for item in self.backend.stream(request):
                if isinstance(item, Completion):
                    completion = item
                    continue
                if first is None:
                    first = time.perf_counter()
                    self.metrics.time_to_first_token.labels(*labels).observe(first - start)
                pieces.append(item)
                yield item
        except EmotionChatError as exc:
            self.metrics.errors.labels(backend, exc.code.name).inc()
            raise
        finally:
            in_flight.dec()
        end = time.perf_counter()
        assert completion is not None, f"backend {backend} ended without a completion"
        self.metrics.duration.labels(*labels).observe(end - start)
        self.metrics.tokens_out.labels(*labels).inc(completion.completion_tokens)
        self.metrics.replies.labels(*labels, request.reply_emotion).inc()
        yield GenerationResult(
            text="".join(pieces).strip(), persona=request.persona.id, backend=backend,
            model=self.backend.model_name, finish_reason=completion.finish_reason,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            time_to_first_token_s=(first or end) - start, total_s=end - start)

    async def generate(self, request: GenerationInput) -> GenerationResult:
        async for item in self.stream(request):
            if isinstance(item, GenerationResult):
                return item
        raise AssertionError("stream ended without a result")
