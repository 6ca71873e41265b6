#!/usr/bin/env bash
# The classifier benchmark on a GPU node: CUDA execution provider, fp16-optimised export,
# ours vs the bare model vs Triton (PyTriton with onnxruntime-gpu), concurrency up to 128.
#
#   benchmarks/gpu.sh                 # installs from the registries
#   benchmarks/gpu.sh /path/to/wheels # installs onnxruntime-gpu (and anything else) from there
#
# Needs only the project and its wheels: a Python >= 3.11 with CUDA drivers; torch is used to
# build the random-weight model (a CPU build is enough). Results land in results/gpu-<time>.
set -euo pipefail
cd "$(dirname "$0")/.."
wheels="${1:-}"
venv=.venv-gpu
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
if [ -n "$wheels" ]; then pip+=(--find-links "$wheels"); fi
"${pip[@]}" -e ".[bench]"
"$venv/bin/python" -m pip uninstall --quiet -y onnxruntime
"${pip[@]}" onnxruntime-gpu
"$venv/bin/python" - <<'PY'
import onnxruntime as ort
providers = ort.get_available_providers()
print("onnxruntime", ort.__version__, providers)
assert "CUDAExecutionProvider" in providers, "onnxruntime-gpu sees no CUDA: check the driver"
PY
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
"$venv/bin/emotion-chat" bench --device cuda --skip baseline orchestrator generator \
  --levels 1 8 32 64 128 --out "results/gpu-$(date +%Y%m%d-%H%M%S)" "${@:2}"
