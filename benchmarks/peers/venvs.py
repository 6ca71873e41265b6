"""The PyTriton peer's own virtualenv: PyTriton bundles tritonserver and needs numpy < 2,
which the project does not, so the benchmark creates a separate environment on first use."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from emotion_chat.paths import data_home

PYTRITON_REQUIREMENTS = ("nvidia-pytriton==0.7.0", "numpy<2", "tokenizers")


def pytriton_venv(device: str = "cpu") -> Path:
    return data_home() / "bench" / f"pytriton-venv-{device}"


def ensure_pytriton_venv(device: str = "cpu", progress: bool = True) -> Path:
    """Create (once) and return the virtualenv's python (onnxruntime-gpu for cuda)."""
    venv = pytriton_venv(device)
    requirements = (*PYTRITON_REQUIREMENTS,
                    "onnxruntime-gpu" if device == "cuda" else "onnxruntime")
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.is_file() and marker.read_text() == "\n".join(requirements):
        return python
    if progress:
        print(f"creating the PyTriton virtualenv in {venv} (once; downloads tritonserver)",
              flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", *requirements], check=True)
    marker.write_text("\n".join(requirements))
    return python


def pytriton_env() -> dict[str, str]:
    """Triton's Python backend stub must load this interpreter's libpython, not the
    distribution's: put the running interpreter's lib dir first on LD_LIBRARY_PATH."""
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    current = os.environ.get("LD_LIBRARY_PATH", "")
    return {"LD_LIBRARY_PATH": ":".join(p for p in (libdir, current) if p)}
