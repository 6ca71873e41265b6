"""Where emotion-chat keeps built artefacts (the demo model, benchmark models)."""

from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    """`EMOTION_CHAT_HOME`, else `$XDG_CACHE_HOME/emotion-chat`, else ~/.cache/emotion-chat."""
    explicit = os.environ.get("EMOTION_CHAT_HOME")
    if explicit:
        return Path(explicit)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "emotion-chat"
