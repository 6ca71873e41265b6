"""The classifier's device: device=cuda without an active CUDA provider is a start-up error
(one line, exit 2, never SERVING); the GPU batching defaults follow the session's providers."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import onnxruntime as ort
import pytest

from classifier_service.model import ClassifierModel
from classifier_service.onnx_session import (
    CPU,
    CUDA,
    TENSORRT,
    DeviceUnavailableError,
    device_in_use,
    requested_providers,
    resolve_device,
)
from classifier_service.service import (
    DEVICE_DEFAULTS,
    ClassifierService,
    batch_policy,
    defaults_for,
)
from classifier_service.settings import ClassifierSettings

CLI = str(Path(sys.executable).with_name("emotion-chat"))


# --- choosing the device --------------------------------------------------------------------

def test_resolve_device_from_the_available_providers() -> None:
    assert resolve_device("auto", [CUDA, CPU]) == "cuda"
    assert resolve_device("auto", [CPU]) == "cpu"
    assert resolve_device("cpu", [CUDA, CPU]) == "cpu"
    assert resolve_device("cuda", [CUDA, CPU]) == "cuda"
    with pytest.raises(DeviceUnavailableError, match="no CUDAExecutionProvider") as raised:
        resolve_device("cuda", ["AzureExecutionProvider", CPU])
    assert raised.value.unusable_setting == "device"
    assert "available: AzureExecutionProvider, CPUExecutionProvider" in str(raised.value)


def test_requested_providers() -> None:
    assert requested_providers("cpu") == [CPU]
    assert requested_providers("cuda", 1) == [(CUDA, {"device_id": 1}), CPU]


def test_device_in_use_comes_from_the_session_providers(caplog) -> None:
    assert device_in_use("cuda", [CUDA, CPU], [CUDA, CPU]) == "cuda"
    assert device_in_use("auto", [CUDA, CPU], [CUDA, CPU]) == "cuda"
    assert device_in_use("cpu", [CPU], [CPU]) == "cpu"
    with pytest.raises(DeviceUnavailableError,
                       match="CUDAExecutionProvider not active: ONNX Runtime fell back to "
                             "CPUExecutionProvider"):
        device_in_use("cuda", [CUDA, CPU], [CPU])
    with caplog.at_level(logging.WARNING):
        assert device_in_use("auto", [CUDA, CPU], [CPU]) == "cpu"
    assert "CUDAExecutionProvider not active, serving on CPUExecutionProvider" in caplog.text


def test_tensorrt_when_asked_must_be_active_too() -> None:
    with pytest.raises(DeviceUnavailableError, match="TensorrtExecutionProvider not active"):
        device_in_use("cuda", [TENSORRT, CUDA, CPU], [CUDA, CPU])
    assert device_in_use("cuda", [TENSORRT, CUDA, CPU], [TENSORRT, CUDA, CPU]) == "cuda"
    assert device_in_use("auto", [TENSORRT, CUDA, CPU], [CUDA, CPU]) == "cuda"


# --- batching defaults follow what is active, not the setting --------------------------------

def test_gpu_batching_defaults_only_with_an_active_gpu_provider() -> None:
    assert defaults_for([CUDA, CPU]) == DEVICE_DEFAULTS["cuda"]
    assert defaults_for([TENSORRT, CUDA, CPU]) == DEVICE_DEFAULTS["cuda"]
    assert defaults_for([CPU]) == DEVICE_DEFAULTS["cpu"]
    assert defaults_for([]) == DEVICE_DEFAULTS["cpu"]


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda"])
def test_batch_policy_from_the_providers_whatever_the_setting(device: str) -> None:
    settings = ClassifierSettings(device=device)
    on_cpu, on_gpu = batch_policy(settings, [CPU]), batch_policy(settings, [CUDA, CPU])
    cpu, gpu = DEVICE_DEFAULTS["cpu"], DEVICE_DEFAULTS["cuda"]
    assert (on_cpu.max_batch_size, on_cpu.max_batch_tokens, on_cpu.workers,
            on_cpu.max_queue_delay_s, on_cpu.max_padding_ratio) == (
        cpu.max_batch_size, cpu.max_batch_tokens, cpu.inference_workers,
        cpu.max_queue_delay_ms / 1e3, cpu.max_padding_ratio)
    assert (on_gpu.max_batch_size, on_gpu.max_batch_tokens, on_gpu.workers,
            on_gpu.max_queue_delay_s, on_gpu.max_padding_ratio) == (
        gpu.max_batch_size, gpu.max_batch_tokens, gpu.inference_workers,
        gpu.max_queue_delay_ms / 1e3, gpu.max_padding_ratio)


def test_explicit_batching_settings_win_over_the_defaults() -> None:
    settings = ClassifierSettings(max_batch_size=8, max_queue_delay_ms=5, inference_workers=3)
    policy = batch_policy(settings, [CUDA, CPU])
    assert (policy.max_batch_size, policy.max_queue_delay_s, policy.workers) == (8, 0.005, 3)
    assert policy.max_batch_tokens == DEVICE_DEFAULTS["cuda"].max_batch_tokens


# --- a real session that falls back to CPU ----------------------------------------------------

@pytest.fixture
def cuda_provider_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """onnxruntime-gpu whose CUDA provider cannot start: listed as available, yet the session
    falls back to CPU (what a GPU image without a GPU or without cuDNN does)."""
    monkeypatch.setattr(ort, "get_available_providers", lambda: [CUDA, CPU])


@pytest.mark.filterwarnings("ignore:Specified provider")
def test_a_session_that_fell_back_to_cpu_fails_with_device_cuda(
        tiny_model_dir: Path, cuda_provider_listed: None) -> None:
    with pytest.raises(DeviceUnavailableError, match="not active: ONNX Runtime fell back to "
                                                     "CPUExecutionProvider"):
        ClassifierModel.load(tiny_model_dir, device="cuda")


@pytest.mark.filterwarnings("ignore:Specified provider")
def test_a_session_that_fell_back_to_cpu_serves_on_cpu_with_device_auto(
        tiny_model_dir: Path, cuda_provider_listed: None) -> None:
    model = ClassifierModel.load(tiny_model_dir, device="auto")
    assert model.session.device == "cpu" and model.session.providers == [CPU]
    assert not model.session._use_io_binding
    assert batch_policy(ClassifierSettings(), model.session.providers).max_batch_size == \
        DEVICE_DEFAULTS["cpu"].max_batch_size


def test_the_service_refuses_device_cuda_before_any_server_starts(
        tiny_model_dir: Path) -> None:
    if CUDA in ort.get_available_providers():
        pytest.skip("this onnxruntime has a CUDA provider")
    with pytest.raises(DeviceUnavailableError):
        ClassifierService(ClassifierSettings(model=str(tiny_model_dir), device="cuda"))


# --- the real command line ----------------------------------------------------------------------

def serve(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLASSIFIER_")}
    return subprocess.run([CLI, "serve", "classifier", "--host", "127.0.0.1", "--port", "0",
                           "--metrics-host", "127.0.0.1", "--metrics-port", "0", *argv],
                          capture_output=True, text=True, timeout=120, env={**clean, **env})


@pytest.mark.skipif(CUDA in ort.get_available_providers(), reason="a CUDA provider is here")
@pytest.mark.parametrize(("flags", "env", "named"), [
    (("--device", "cuda"), {}, "--device"),
    ((), {"CLASSIFIER_DEVICE": "cuda"}, "CLASSIFIER_DEVICE")])
def test_serve_with_device_cuda_on_a_cpu_machine_is_one_line_and_exit_2(
        tiny_model_dir: Path, flags: tuple[str, ...], env: dict[str, str], named: str) -> None:
    result = serve("--model", str(tiny_model_dir), *flags, **env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "READY" not in result.stdout and "SERVING" not in result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"emotion-chat serve classifier: invalid setting {named}='cuda': this onnxruntime "
        f"has no CUDAExecutionProvider (available: {', '.join(ort.get_available_providers())}"
        "); install onnxruntime-gpu in place of onnxruntime, or use device auto or cpu"]
