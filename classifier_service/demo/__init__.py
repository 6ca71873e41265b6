"""Where the embedded demo model lives and how the classifier gets it on first use.

The model is a small BERT trained from scratch on tables written for this project; its recipe
is tooling (`training/demo/`, needs the `train` extra: torch). Serving it needs neither: the
classifier only finds the built directory, or builds it once in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

from emotion_chat.paths import data_home

log = logging.getLogger(__name__)

DEMO_MODEL_NAME = "emotion-chat/demo-bert-ko-7"
# Bumped whenever the recipe changes: an older build is rebuilt on first use.
DEMO_VERSION = "4"


def default_demo_dir() -> Path:
    return data_home() / "models" / "demo-bert-ko-7"


def is_built(model_dir: Path) -> bool:
    """All files present and built by the current recipe."""
    if not all((model_dir / f).is_file() for f in ("model.onnx", "tokenizer.json", "config.json")):
        return False
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return str(config.get("model_version")) == DEMO_VERSION


async def ensure_demo_model(model_dir: Path | None = None) -> Path:
    """Return the demo model dir, building it first (in a subprocess, with torch) if needed."""
    model_dir = model_dir or default_demo_dir()
    if is_built(model_dir):
        return model_dir
    log.info("demo model not found at %s: building it (4 to 5 minutes on two cores)", model_dir)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "training.demo.build", "--out", str(model_dir))
    if await process.wait() != 0 or not is_built(model_dir):
        raise RuntimeError(
            f"building the demo model failed (exit {process.returncode}); it needs the train "
            "extra (pip install 'emotion-chat[train]'), or pass --model DIR")
    return model_dir
