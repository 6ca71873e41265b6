"""A local KoGPT2-style causal LM (e.g. `skt/kogpt2-base-v2`), by transformers or ONNX Runtime.

Prompts follow the KoGPT2-chatbot convention (`<usr>question<unused1>emotion<sys>answer</s>`,
see prompts.py). Generation runs in worker threads, never on the event loop, and streams text
through a token streamer. At most `max_concurrency` generations run at once and at most
`max_waiting` wait for a slot; beyond that requests get RESOURCE_EXHAUSTED. A cancelled or
expired request stops its generation at the next token.

The device follows `local_device` (`choose_device`): cpu means cpu even where CUDA is
present; cuda without CUDA is a start-up error (one line, exit 2, never SERVING); auto takes
CUDA when the runtime can use it. With ONNX Runtime the device becomes the session's providers,
and the providers the session really got are checked after loading.

This backend needs torch (the `local-lm` extra). For scale, serve the checkpoint with vLLM and
point the `openai` backend at it instead (README, "Generator at scale").
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from emotion_chat.errors import DeadlineExpiredError, OverloadedError
from generator_service.backends.base import Completion, GenerationInput
from generator_service.backends.prompts import END_TOKEN, kogpt2_prompt

log = logging.getLogger(__name__)

_END = object()

CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"


class LocalDeviceUnavailableError(RuntimeError):
    """`local_device` asks for CUDA where the runtime cannot use it. A start-up error:
    `emotion-chat serve` prints it as one line naming the setting (`unusable_setting`) and
    exits 2."""

    unusable_setting = "local_device"


def choose_device(setting: str, cuda_available: bool, why_not: str = "") -> str:
    """cpu → cpu (whatever is present); cuda → cuda, or a start-up error without CUDA;
    auto → cuda when available, else cpu."""
    if setting == "cpu":
        return "cpu"
    if setting == "cuda":
        if not cuda_available:
            reason = f" ({why_not})" if why_not else ""
            raise LocalDeviceUnavailableError(
                f"CUDA is not available to the local model{reason}; use auto or cpu")
        return "cuda"
    if setting == "auto":
        return "cuda" if cuda_available else "cpu"
    raise ValueError(f"unknown device {setting!r}: auto, cpu or cuda")


def onnx_providers(device: str) -> list[str]:
    """ONNX Runtime execution providers for a chosen device."""
    return [CUDA_PROVIDER, CPU_PROVIDER] if device == "cuda" else [CPU_PROVIDER]


def _has_onnx(model_id: str) -> bool:
    path = Path(model_id)
    return path.is_dir() and any(path.glob("*.onnx"))


class LocalCausalLMBackend:
    name = "local"

    def __init__(self, model_id: str, runtime: str = "torch", device: str = "auto",
                 max_concurrency: int = 1, max_waiting: int = 8, threads: int = 0) -> None:
        self.model_name = model_id
        self._runtime = runtime
        self._device_setting = device
        self._max_concurrency = max_concurrency
        self._max_waiting = max_waiting
        self._threads = threads
        self._waiting = 0
        self._slots: asyncio.Semaphore | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self.device = "cpu"
        self._eos_id: int | None = None
        self._max_positions = 1024

    async def startup(self) -> None:
        self._slots = asyncio.Semaphore(self._max_concurrency)
        self._executor = ThreadPoolExecutor(self._max_concurrency, thread_name_prefix="generate")
        await asyncio.to_thread(self._load)
        log.info("local backend: %s via %s on %s", self.model_name, self._runtime, self.device)

    def _load(self) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if self._threads:
            torch.set_num_threads(self._threads)
        self.device = self._choose_device()
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_name)
        if self._runtime == "onnx":
            from optimum.onnxruntime import ORTModelForCausalLM

            self._model = ORTModelForCausalLM.from_pretrained(
                self.model_name, export=not _has_onnx(self.model_name),
                providers=onnx_providers(self.device), use_cache=True)
            self._check_providers(list(self._model.providers))
        else:
            dtype = torch.float16 if self.device == "cuda" else torch.float32
            model = AutoModelForCausalLM.from_pretrained(self.model_name, dtype=dtype)
            model.to(self.device)  # type: ignore[arg-type]
            self._model = model.eval()
        config = self._model.config
        positions: Any = (getattr(config, "n_positions", None)
                          or getattr(config, "max_position_embeddings", None) or 1024)
        self._max_positions = int(positions)
        end_id = self._tokenizer.convert_tokens_to_ids(END_TOKEN)
        self._eos_id = end_id if end_id != self._tokenizer.unk_token_id else \
            self._tokenizer.eos_token_id

    def _cuda_available(self) -> tuple[bool, str]:
        """Whether this runtime can run the model on CUDA here, and if not, why."""
        import torch

        if not torch.cuda.is_available():
            return False, f"torch {torch.__version__} sees no CUDA device"
        if self._runtime == "onnx":
            import onnxruntime as ort

            available = ort.get_available_providers()
            if CUDA_PROVIDER not in available:
                return False, (f"this onnxruntime has no {CUDA_PROVIDER} (available: "
                               f"{', '.join(available)}); install onnxruntime-gpu")
        return True, ""

    def _choose_device(self) -> str:
        if self._device_setting == "cpu":  # never probe CUDA for cpu
            return "cpu"
        return choose_device(self._device_setting, *self._cuda_available())

    def _check_providers(self, active: list[str]) -> None:
        """ONNX Runtime falls back to CPU when the CUDA provider cannot start: an error with
        local_device=cuda, a logged fallback with auto."""
        if self.device != "cuda" or CUDA_PROVIDER in active:
            return
        fallback = active[0] if active else "nothing"
        if self._device_setting == "cuda":
            raise LocalDeviceUnavailableError(
                f"{CUDA_PROVIDER} not active: ONNX Runtime fell back to {fallback} (are the "
                "CUDA and cuDNN libraries onnxruntime-gpu needs installed?); use auto or cpu")
        log.warning("local backend: %s not active, running on %s", CUDA_PROVIDER, fallback)
        self.device = "cpu"

    async def shutdown(self) -> None:
        if self._executor is not None:
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
            self._executor = None
        self._model = None

    async def _acquire(self, deadline: float | None) -> None:
        assert self._slots is not None, "backend not started"
        if self._slots.locked() and self._waiting >= self._max_waiting:
            raise OverloadedError(f"local generator is busy ({self._max_concurrency} running, "
                                  f"{self._waiting} waiting); retry later")
        self._waiting += 1
        try:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            await asyncio.wait_for(self._slots.acquire(), timeout)
        except TimeoutError:
            raise DeadlineExpiredError("deadline passed while waiting for the local "
                                       "generator") from None
        finally:
            self._waiting -= 1

    async def stream(self, request: GenerationInput) -> AsyncIterator[str | Completion]:
        await self._acquire(request.deadline)
        assert self._slots is not None and self._executor is not None
        slots = self._slots
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()
        prompt_ids = self._prompt_ids(request)
        counter = _TokenCounter()
        try:
            future = loop.run_in_executor(self._executor, self._generate, request, prompt_ids,
                                          stop, counter, queue, loop)
        except BaseException:
            slots.release()
            raise
        future.add_done_callback(lambda _: slots.release())
        try:
            while (item := await queue.get()) is not _END:
                yield str(item)
            await future
        finally:
            stop.set()  # client gone or deadline: stop generating at the next token
        finish = "length" if counter.generated >= request.max_new_tokens else "stop"
        yield Completion(finish_reason=finish, prompt_tokens=len(prompt_ids),
                         completion_tokens=counter.generated)

    def _prompt_ids(self, request: GenerationInput) -> list[int]:
        ids: list[int] = self._tokenizer(kogpt2_prompt(request), add_special_tokens=False
                                         )["input_ids"]
        budget = self._max_positions - request.max_new_tokens
        return ids[-budget:] if budget > 0 else ids[-1:]

    def _generate(self, request: GenerationInput, prompt_ids: list[int], stop: threading.Event,
                  counter: _TokenCounter, queue: asyncio.Queue[object],
                  loop: asyncio.AbstractEventLoop) -> None:
        """Runs in a worker thread; pushes decoded text to the request's queue."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, set_seed
        from transformers.generation.streamers import BaseStreamer

        def push(item: object) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        class QueueStreamer(BaseStreamer):
            """Incremental detokenisation: every token's new text is pushed at once, unless it
            ends inside a multi-byte character (then it waits for the next token)."""

            def __init__(self, tokenizer: Any) -> None:
                self.tokenizer = tokenizer
                self.prompt_seen = False
                self.ids: list[int] = []
                self.sent = 0

            def put(self, value: Any) -> None:
                if not self.prompt_seen:  # generate() first passes the prompt
                    self.prompt_seen = True
                    return
                new_ids = value.reshape(-1).tolist()
                counter.generated += len(new_ids)
                self.ids.extend(new_ids)
                self._flush(final=False)

            def end(self) -> None:
                self._flush(final=True)

            def _flush(self, final: bool) -> None:
                text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
                if text.endswith("\ufffd") and not final:
                    return
                if len(text) > self.sent:
                    push(text[self.sent:])
                    self.sent = len(text)

        class StopWhenAsked(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                expired = request.deadline is not None and time.monotonic() > request.deadline
                return torch.full((input_ids.shape[0],), stop.is_set() or expired,
                                  dtype=torch.bool, device=input_ids.device)

        try:
            if request.seed is not None:
                set_seed(request.seed)
            input_ids = torch.tensor([prompt_ids], device=self.device)
            sampling = request.temperature > 0
            options: dict[str, Any] = {"do_sample": sampling}
            if sampling:
                options.update(temperature=request.temperature, top_p=request.top_p)
            with torch.inference_mode():
                self._model.generate(
                    input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                    max_new_tokens=request.max_new_tokens,
                    min_new_tokens=request.min_new_tokens or None,
                    eos_token_id=self._eos_id, pad_token_id=self._tokenizer.pad_token_id,
                    streamer=QueueStreamer(self._tokenizer),
                    stopping_criteria=StoppingCriteriaList([StopWhenAsked()]), **options)
        finally:
            push(_END)


class _TokenCounter:
    def __init__(self) -> None:
        self.generated = 0
