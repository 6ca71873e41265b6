"""Static checks of the Dockerfiles (no Docker here; `make image-test` builds and runs them):
a HEALTHCHECK on `emotion-chat health` in every serving image, the model builder's torch pin,
the GPU image's CUDA base against the onnxruntime-gpu it installs, and the shared
dependency layers that let one build cache serve every image."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
SERVING = {"classifier": "CLASSIFIER_PORT", "classifier-gpu": "CLASSIFIER_PORT",
           "generator": "GENERATOR_PORT", "recommender": "RECOMMENDER_PORT",
           "orchestrator": "ORCHESTRATOR_PORT"}
BUILDERS = ("model-builder", "music-builder")
# onnxruntime-gpu on PyPI → the CUDA major its Linux x86_64 wheel links (libcudart.so.N,
# libcublas.so.N; its `cuda` extra asks for nvidia-cuda-runtime~=N.0). Read off the wheel:
# `pip download onnxruntime-gpu==V --no-deps`, then `readelf -d` on
# onnxruntime/capi/libonnxruntime_providers_cuda.so. Add a line when bumping the pin.
ONNXRUNTIME_GPU_CUDA = {"1.31.1": 13}


def dockerfile(name: str) -> str:
    return (DOCKER / f"{name}.Dockerfile").read_text()


def instructions(text: str) -> list[str]:
    """The instructions, continuation lines joined, comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return [i.strip() for i in re.sub(r"\\\n", " ", "\n".join(lines)).splitlines() if i.strip()]


def final_stage(text: str) -> list[str]:
    steps = instructions(text)
    last = max(i for i, step in enumerate(steps) if step.startswith("FROM "))
    return steps[last:]


def build_arg(text: str, name: str) -> str:
    match = re.search(rf"^ARG {name}=(\S+)$", text, re.M)
    assert match, f"no ARG {name}=... default"
    return match.group(1)


def test_every_dockerfile_is_known() -> None:
    names = {p.name.removesuffix(".Dockerfile") for p in DOCKER.glob("*.Dockerfile")}
    assert names == set(SERVING) | set(BUILDERS)


@pytest.mark.parametrize("name", sorted(SERVING))
def test_serving_images_health_check_with_emotion_chat_health(name: str) -> None:
    final = final_stage(dockerfile(name))
    checks = [s for s in final if s.startswith("HEALTHCHECK")]
    assert len(checks) == 1, name
    assert checks[0].endswith('CMD ["emotion-chat", "health"]'), checks[0]
    # `emotion-chat health` with no flags asks 127.0.0.1 on the first port variable set
    # (emotion_chat_cli/health.py): the image sets its service's, to the service's default.
    variable = SERVING[name]
    env = " ".join(s for s in final if s.startswith("ENV "))
    port = re.search(rf"\b{variable}=(\d+)\b", env)
    assert port, f"{name}: ENV {variable} is not set"
    exposed = next(s for s in final if s.startswith("EXPOSE ")).split()[1]
    assert port.group(1) == exposed, (name, port.group(1), exposed)
    others = [v for v in set(SERVING.values()) if v != variable]
    assert not any(re.search(rf"\b{v}=", env) for v in others), name
    # Docker's timeout leaves room for the health command's own (3 s by default)
    timeout = re.search(r"--timeout=(\d+)s", checks[0])
    assert timeout and int(timeout.group(1)) > 3, checks[0]


@pytest.mark.parametrize("name", BUILDERS)
def test_run_to_completion_builders_declare_no_health_check(name: str) -> None:
    assert "HEALTHCHECK NONE" in final_stage(dockerfile(name))


def test_the_model_builder_installs_torch_2_13_0_from_the_configured_index() -> None:
    text = dockerfile("model-builder")
    steps = instructions(text)
    installs = [s for s in steps if s.startswith("RUN") and "pip install" in s]
    assert any("torch==2.13.0" in s for s in installs)
    assert "--index-url" not in text and "download.pytorch.org" not in "\n".join(steps)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"torch==2.13.0"' in pyproject  # the train extra pins the same release


def test_the_gpu_image_base_matches_the_cuda_of_the_pinned_onnxruntime_gpu() -> None:
    text = dockerfile("classifier-gpu")
    pin = build_arg(text, "ONNXRUNTIME_GPU")
    match = re.fullmatch(r"onnxruntime-gpu==(\d+\.\d+\.\d+)", pin)
    assert match, f"onnxruntime-gpu must be pinned (==), not {pin!r}"
    version = match.group(1)
    assert version in ONNXRUNTIME_GPU_CUDA, \
        f"onnxruntime-gpu {version}: check its CUDA major and add it to ONNXRUNTIME_GPU_CUDA"
    base = build_arg(text, "CUDA_IMAGE")
    tag = re.fullmatch(r"nvidia/cuda:(\d+)\.\d+(?:\.\d+)?-cudnn-runtime-\S+", base)
    assert tag, f"a CUDA cuDNN runtime base, not {base!r}"
    assert int(tag.group(1)) == ONNXRUNTIME_GPU_CUDA[version], (base, pin)
    steps = instructions(text)
    assert any('pip install "${ONNXRUNTIME_GPU}"' in s for s in steps)
    assert any("pip uninstall -y onnxruntime" in s for s in steps)


def test_every_python_image_starts_with_the_same_dependency_layer() -> None:
    """The build stage's first steps are identical, so the builder caches the runtime
    dependencies once for every image (and the index libraries once for recommender and
    music-builder)."""
    prefixes = {}
    for name in ("classifier", "generator", "recommender", "orchestrator", *BUILDERS):
        steps = instructions(dockerfile(name))
        prefixes[name] = steps[:6]
    first = prefixes["classifier"]
    assert first[1] == "FROM ${PYTHON_IMAGE} AS build"
    assert "requirements.py pyproject.toml > /tmp/requirements.txt" in first[5]
    assert all(p == first for p in prefixes.values()), prefixes
    index_layer = instructions(dockerfile("recommender"))[6]
    assert "--only recommender" in index_layer
    assert instructions(dockerfile("music-builder"))[6] == index_layer


def test_requirements_helper_expands_the_extras() -> None:
    helper = DOCKER / "requirements.py"
    pyproject = ROOT / "pyproject.toml"

    def lines(*extra: str) -> list[str]:
        out = subprocess.run([sys.executable, str(helper), str(pyproject), *extra],
                             capture_output=True, text=True, check=True).stdout
        return out.split()

    runtime = lines()
    assert any(r.startswith("grpcio") for r in runtime)
    assert not any(r.startswith("torch") for r in runtime)
    assert "torch==2.13.0" in lines("--only", "train")
    music = lines("--only", "music")
    assert any(r.startswith("librosa") for r in music)
    assert any(r.startswith("annoy") for r in music)  # emotion-chat[recommender], expanded
    assert not any(r.startswith("emotion-chat") for r in music)
