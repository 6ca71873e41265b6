"""The local backend's device: cpu means cpu even where CUDA is present, cuda without CUDA is
a start-up error, auto takes CUDA when it is there; for transformers (torch) and ONNX Runtime
(the providers list). No GPU here: torch.cuda.is_available is monkeypatched."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import onnxruntime as ort
import pytest
import torch

from generator_service.backends.local_lm import (
    CPU_PROVIDER,
    CUDA_PROVIDER,
    LocalCausalLMBackend,
    LocalDeviceUnavailableError,
    choose_device,
    onnx_providers,
)

CLI = str(Path(sys.executable).with_name("emotion-chat"))


def test_choose_device() -> None:
    assert choose_device("cpu", True) == "cpu"
    assert choose_device("cpu", False) == "cpu"
    assert choose_device("auto", True) == "cuda"
    assert choose_device("auto", False) == "cpu"
    assert choose_device("cuda", True) == "cuda"
    with pytest.raises(LocalDeviceUnavailableError,
                       match=r"^CUDA is not available to the local model \(no GPU\); use auto "
                             r"or cpu$") as raised:
        choose_device("cuda", False, "no GPU")
    assert raised.value.unusable_setting == "local_device"


def test_onnx_providers() -> None:
    assert onnx_providers("cpu") == [CPU_PROVIDER]
    assert onnx_providers("cuda") == [CUDA_PROVIDER, CPU_PROVIDER]


@pytest.fixture
def cuda_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(ort, "get_available_providers", lambda: [CUDA_PROVIDER, CPU_PROVIDER])


@pytest.fixture
def cuda_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(ort, "get_available_providers", lambda: [CPU_PROVIDER])


@pytest.mark.parametrize("runtime", ["torch", "onnx"])
@pytest.mark.parametrize(("setting", "expected"), [
    ("cpu", "cpu"), ("auto", "cuda"), ("cuda", "cuda")])
def test_with_cuda_present(cuda_present: None, runtime: str, setting: str,
                           expected: str) -> None:
    backend = LocalCausalLMBackend("unused", runtime=runtime, device=setting)
    assert backend._choose_device() == expected


@pytest.mark.parametrize("runtime", ["torch", "onnx"])
def test_with_cuda_absent(cuda_absent: None, runtime: str) -> None:
    assert LocalCausalLMBackend("unused", runtime=runtime, device="cpu")._choose_device() == "cpu"
    assert LocalCausalLMBackend("unused", runtime=runtime, device="auto"
                                )._choose_device() == "cpu"
    with pytest.raises(LocalDeviceUnavailableError, match="sees no CUDA device"):
        LocalCausalLMBackend("unused", runtime=runtime, device="cuda")._choose_device()


def test_onnx_needs_the_cuda_provider_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(ort, "get_available_providers", lambda: [CPU_PROVIDER])
    onnx = LocalCausalLMBackend("unused", runtime="onnx", device="cuda")
    with pytest.raises(LocalDeviceUnavailableError, match="no CUDAExecutionProvider"):
        onnx._choose_device()
    assert LocalCausalLMBackend("unused", runtime="onnx", device="auto"
                                )._choose_device() == "cpu"
    # torch itself can use the GPU
    assert LocalCausalLMBackend("unused", device="auto")._choose_device() == "cuda"


def test_cpu_never_probes_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    def probe() -> bool:
        raise AssertionError("probed CUDA for device=cpu")

    monkeypatch.setattr(torch.cuda, "is_available", probe)
    assert LocalCausalLMBackend("unused", device="cpu")._choose_device() == "cpu"


async def test_cpu_loads_on_cpu_even_with_cuda_present(tiny_kogpt2_dir: Path,
                                                       cuda_present: None) -> None:
    """The bug: `--local-device cpu` ran on the GPU whenever CUDA was present."""
    backend = LocalCausalLMBackend(str(tiny_kogpt2_dir), device="cpu")
    await backend.startup()
    try:
        assert backend.device == "cpu"
        assert {p.device.type for p in backend._model.parameters()} == {"cpu"}
        assert next(backend._model.parameters()).dtype == torch.float32
    finally:
        await backend.shutdown()


async def test_cuda_without_cuda_fails_at_startup(tiny_kogpt2_dir: Path,
                                                  cuda_absent: None) -> None:
    backend = LocalCausalLMBackend(str(tiny_kogpt2_dir), device="cuda")
    with pytest.raises(LocalDeviceUnavailableError):
        await backend.startup()
    assert backend._model is None  # nothing loaded
    await backend.shutdown()


class FakeORTModel:
    """Stands in for optimum's ORTModelForCausalLM.from_pretrained: records the providers
    asked for and reports `active` as the session's providers."""

    def __init__(self, active: list[str] | None = None) -> None:
        self.active = active
        self.calls: list[dict[str, Any]] = []

    def __call__(self, model_id: str, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        active = self.active if self.active is not None else kwargs["providers"]
        return SimpleNamespace(providers=active, config=SimpleNamespace(n_positions=64))


@pytest.fixture
def fake_ort_model(monkeypatch: pytest.MonkeyPatch) -> FakeORTModel:
    from optimum.onnxruntime import ORTModelForCausalLM

    fake = FakeORTModel()
    monkeypatch.setattr(ORTModelForCausalLM, "from_pretrained", fake)
    return fake


@pytest.mark.parametrize(("setting", "providers", "device"), [
    ("cpu", [CPU_PROVIDER], "cpu"),
    ("auto", [CUDA_PROVIDER, CPU_PROVIDER], "cuda"),
    ("cuda", [CUDA_PROVIDER, CPU_PROVIDER], "cuda")])
async def test_onnx_session_gets_the_providers_of_the_device(
        tiny_kogpt2_dir: Path, cuda_present: None, fake_ort_model: FakeORTModel,
        setting: str, providers: list[str], device: str) -> None:
    backend = LocalCausalLMBackend(str(tiny_kogpt2_dir), runtime="onnx", device=setting)
    await backend.startup()
    await backend.shutdown()
    assert fake_ort_model.calls[-1]["providers"] == providers
    assert "provider" not in fake_ort_model.calls[-1]
    assert backend.device == device


async def test_onnx_fallback_to_cpu_is_an_error_with_cuda_and_logged_with_auto(
        tiny_kogpt2_dir: Path, cuda_present: None, fake_ort_model: FakeORTModel,
        caplog: pytest.LogCaptureFixture) -> None:
    fake_ort_model.active = [CPU_PROVIDER]  # the CUDA provider could not start
    strict = LocalCausalLMBackend(str(tiny_kogpt2_dir), runtime="onnx", device="cuda")
    with pytest.raises(LocalDeviceUnavailableError,
                       match="CUDAExecutionProvider not active: ONNX Runtime fell back to "
                             "CPUExecutionProvider"):
        await strict.startup()
    lenient = LocalCausalLMBackend(str(tiny_kogpt2_dir), runtime="onnx", device="auto")
    with caplog.at_level(logging.WARNING):
        await lenient.startup()
    await lenient.shutdown()
    assert lenient.device == "cpu"
    assert "CUDAExecutionProvider not active, running on CPUExecutionProvider" in caplog.text


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_serve_with_local_device_cuda_without_cuda_is_one_line_and_exit_2(
        tiny_kogpt2_dir: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENERATOR_")}
    result = subprocess.run(
        [CLI, "serve", "generator", "--host", "127.0.0.1", "--port", "0", "--metrics-host",
         "127.0.0.1", "--metrics-port", "0", "--backend", "local", "--local-model",
         str(tiny_kogpt2_dir), "--local-device", "cuda"],
        capture_output=True, text=True, timeout=180, env=clean)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "READY" not in result.stdout
    assert "SERVING" not in result.stdout + result.stderr
    problems = [line for line in result.stderr.splitlines()
                if line.startswith("emotion-chat serve generator:")]
    assert problems == [
        "emotion-chat serve generator: invalid setting --local-device='cuda': CUDA is not "
        f"available to the local model (torch {torch.__version__} sees no CUDA device); use "
        "auto or cpu"]
    assert result.stderr.splitlines()[-1] == problems[0]
