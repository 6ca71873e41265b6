"""ONNX Runtime session for a sequence classifier: provider choice, threads, IO binding."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from classifier_service.tokenization import PaddedBatch

log = logging.getLogger(__name__)

CUDA = "CUDAExecutionProvider"
TENSORRT = "TensorrtExecutionProvider"
CPU = "CPUExecutionProvider"
GPU_PROVIDERS = (TENSORRT, CUDA)

INSTALL_HINT = "install onnxruntime-gpu in place of onnxruntime, or use device auto or cpu"


class DeviceUnavailableError(RuntimeError):
    """`device` asks for an execution provider ONNX Runtime cannot give here. A start-up
    error: `emotion-chat serve` prints it as one line naming the setting
    (`unusable_setting`) and exits 2; health never says SERVING."""

    unusable_setting = "device"


def cuda_available(available: Sequence[str] | None = None) -> bool:
    providers = ort.get_available_providers() if available is None else available
    return CUDA in providers


def resolve_device(device: str, available: Sequence[str] | None = None) -> str:
    """`auto` → cuda when this onnxruntime has a CUDA provider, else cpu; `cuda` without one
    is a start-up error (no session is even tried)."""
    providers = list(ort.get_available_providers() if available is None else available)
    if device == "auto":
        return "cuda" if cuda_available(providers) else "cpu"
    if device == "cuda" and not cuda_available(providers):
        raise DeviceUnavailableError(
            f"this onnxruntime has no {CUDA} (available: {', '.join(providers)}); "
            f"{INSTALL_HINT}")
    return device


def requested_providers(device: str, device_id: int = 0) -> list[Any]:
    """What the session is asked for on a resolved device (cpu or cuda)."""
    if device == "cuda":
        return [(CUDA, {"device_id": device_id}), CPU]
    return [CPU]


def device_in_use(setting: str, wanted: Sequence[str], active: Sequence[str]) -> str:
    """The device batches really run on (cuda or cpu), from the session's providers
    (`active`), never from the setting.

    `wanted` are the GPU providers the session was asked for. ONNX Runtime silently falls
    back to CPU when one cannot start (CUDA or cuDNN libraries missing, no GPU visible): with
    device=cuda that is a start-up error; with auto it is logged and served on CPU.
    """
    missing = [p for p in wanted if p in GPU_PROVIDERS and p not in active]
    if missing:
        fallback = active[0] if active else "nothing"
        if setting == "cuda":
            raise DeviceUnavailableError(
                f"{', '.join(missing)} not active: ONNX Runtime fell back to {fallback} "
                "(are the CUDA and cuDNN libraries onnxruntime-gpu needs installed and a GPU "
                "visible?); use device auto or cpu to serve on CPU")
        log.warning("device=%s: %s not active, serving on %s", setting, ", ".join(missing),
                    fallback)
    return "cuda" if any(p in active for p in GPU_PROVIDERS) else "cpu"


class ClassifierSession:
    """Runs padded batches through model.onnx and returns float32 logits.

    `device` is the setting (auto, cpu or cuda); `self.device` is what the session really
    runs on, decided from its providers after it is created (see `device_in_use`).
    """

    def __init__(self, model_path: Path, device: str, device_id: int = 0,
                 intra_op_threads: int = 0, inter_op_threads: int = 1,
                 allow_spinning: bool = False, io_binding: bool = True) -> None:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = inter_op_threads
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        spin = "1" if allow_spinning else "0"
        options.add_session_config_entry("session.intra_op.allow_spinning", spin)
        options.add_session_config_entry("session.inter_op.allow_spinning", spin)
        providers = requested_providers(resolve_device(device), device_id)
        self._session = ort.InferenceSession(str(model_path), sess_options=options,
                                             providers=providers)
        self.providers: list[str] = list(self._session.get_providers())
        wanted = [p[0] if isinstance(p, tuple) else p for p in providers]
        self.device = device_in_use(device, wanted, self.providers)
        self.provider: str = self.providers[0]
        self._device_id = device_id
        self._use_io_binding = io_binding and self.provider == CUDA
        self.input_names = {i.name for i in self._session.get_inputs()}
        missing = {"input_ids", "attention_mask"} - self.input_names
        if missing:
            raise ValueError(f"{model_path} lacks the inputs {sorted(missing)}: not a BERT-style "
                             f"sequence classifier (inputs: {sorted(self.input_names)})")
        self.output_name = self._session.get_outputs()[0].name

    @property
    def num_outputs(self) -> int | None:
        shape = self._session.get_outputs()[0].shape
        last = shape[-1] if shape else None
        return last if isinstance(last, int) else None

    def _feeds(self, batch: PaddedBatch) -> dict[str, npt.NDArray[np.int64]]:
        feeds = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = batch.token_type_ids
        return feeds

    def run(self, batch: PaddedBatch) -> npt.NDArray[np.float32]:
        feeds = self._feeds(batch)
        if self._use_io_binding:
            binding = self._session.io_binding()
            for name, array in feeds.items():
                binding.bind_cpu_input(name, array)
            binding.bind_output(self.output_name, "cuda", self._device_id)
            self._session.run_with_iobinding(binding)
            logits = binding.copy_outputs_to_cpu()[0]
        else:
            logits = self._session.run([self.output_name], feeds)[0]
        return np.asarray(logits, dtype=np.float32)
