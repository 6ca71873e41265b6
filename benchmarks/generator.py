"""Time to first token and tokens/s of the local generator backend.

    python -m benchmarks.generator [--model DIR] [--runtime torch onnx] [--tokens 64]

Uses a kogpt2-base-v2-shaped GPT-2 with random weights (built on first use) unless --model
is given; every reply is forced to `--tokens` new tokens so runs are comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path

from emotion_chat.personas import PersonaRegistry
from generator_service.backends.base import Completion, GenerationInput, HistoryTurn
from generator_service.backends.local_lm import LocalCausalLMBackend

PROMPTS = ("오늘 시험 끝났는데 망친 것 같아", "내일 면접인데 너무 떨려요",
           "친구가 약속을 또 까먹었어. 진짜 서운하다", "주말에 뭐 할지 고민 중이야")


async def measure(model: str, runtime: str, tokens: int, rounds: int) -> dict[str, object]:
    backend = LocalCausalLMBackend(model, runtime=runtime)
    await backend.startup()
    persona = PersonaRegistry.load().resolve("")
    ttft: list[float] = []
    rates: list[float] = []
    try:
        for i in range(rounds + 1):  # the first round warms up
            request = GenerationInput(
                history=(HistoryTurn("user", "안녕", "중립"), HistoryTurn("assistant", "안녕!")),
                text=PROMPTS[i % len(PROMPTS)], emotion="슬픔", reply_emotion="슬픔",
                emotion_score=0.9, persona=persona, max_new_tokens=tokens, temperature=0.8,
                top_p=0.95, seed=i, conversation_id="bench", min_new_tokens=tokens)
            start = time.perf_counter()
            first = None
            generated = 0
            async for item in backend.stream(request):
                if isinstance(item, Completion):
                    generated = item.completion_tokens
                elif first is None:
                    first = time.perf_counter()
            end = time.perf_counter()
            if i and first is not None:
                ttft.append(first - start)
                rates.append((generated - 1) / (end - first))
    finally:
        await backend.shutdown()
    return {"runtime": runtime, "tokens": tokens, "rounds": rounds,
            "ttft_ms_median": statistics.median(ttft) * 1e3,
            "tokens_per_s_median": statistics.median(rates)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--runtime", nargs="+", default=["torch", "onnx"])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    from benchmarks.models import build_kogpt2_base

    model = str(args.model or build_kogpt2_base())
    for runtime in args.runtime:
        print(json.dumps(asyncio.run(measure(model, runtime, args.tokens, args.rounds))),
              flush=True)


if __name__ == "__main__":
    main()
