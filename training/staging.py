"""Outputs that appear whole or not at all.

Every training command writes its model directory into a temporary sibling and renames it
into place at the end, so a crash, Ctrl-C or a full disk never leaves half a model where a
service (or the next command) would load it. A finished directory replaces an older one by
two renames: the old one is moved aside first, then removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def publish(tmp: Path, out_dir: Path) -> None:
    """Put the finished `tmp` directory at `out_dir`, replacing what was there."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A temporary sibling of `out_dir` to write into: published as `out_dir` when the block
    ends normally, removed when it raises."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        yield tmp
        publish(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
