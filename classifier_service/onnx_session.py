"""ONNX Runtime session for a sequence classifier: provider choice, threads, IO binding."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from classifier_service.tokenization import PaddedBatch

log = logging.getLogger(__name__)

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def cuda_available() -> bool:
    return CUDA in ort.get_available_providers()


def resolve_device(device: str) -> str:
    """`auto` → cuda when onnxruntime-gpu sees a CUDA provider, else cpu."""
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device == "cuda" and not cuda_available():
        raise RuntimeError(
            "device=cuda but this onnxruntime has no CUDAExecutionProvider "
            f"(available: {ort.get_available_providers()}); install onnxruntime-gpu")
    return device


class ClassifierSession:
    """Runs padded batches through model.onnx and returns float32 logits."""

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
        providers: list[Any] = [CPU]
        if device == "cuda":
            providers = [(CUDA, {"device_id": device_id}), CPU]
        self._session = ort.InferenceSession(str(model_path), sess_options=options,
                                             providers=providers)
        self.provider: str = self._session.get_providers()[0]
        if device == "cuda" and self.provider != CUDA:
            log.warning("CUDA requested but ONNX Runtime fell back to %s", self.provider)
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
