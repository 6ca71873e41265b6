"""An optimum-style ONNX model dir loaded for serving: session + tokenizer + label space.

The dir holds `model.onnx`, `tokenizer.json` and `config.json` (with `id2label`, optionally
`problem_type`, `label_thresholds`, `model_version`). Loading never imports torch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier_service.labels import LabelSpace
from classifier_service.onnx_session import ClassifierSession
from classifier_service.tokenization import EncodedText, TextEncoder

DEFAULT_MAX_LENGTH = 128
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class ModelFiles:
    root: Path

    @property
    def onnx(self) -> Path:
        return self.root / MODEL_FILE

    @property
    def tokenizer(self) -> Path:
        return self.root / TOKENIZER_FILE

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    def check(self) -> None:
        missing = [p.name for p in (self.onnx, self.tokenizer, self.config) if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"model dir {self.root} lacks {', '.join(missing)}")


class ClassifierModel:
    """Tokenises, pads and runs batches; turns logits into scores."""

    def __init__(self, session: ClassifierSession, encoder: TextEncoder, label_space: LabelSpace,
                 name: str, version: str) -> None:
        self.session = session
        self.encoder = encoder
        self.label_space = label_space
        self.name = name
        self.version = version
        outputs = session.num_outputs
        if outputs is not None and outputs != len(label_space.labels):
            raise ValueError(f"model has {outputs} outputs but config.json names "
                             f"{len(label_space.labels)} labels")

    @classmethod
    def load(cls, model_dir: Path, *, device: str, device_id: int = 0,
             intra_op_threads: int = 0, inter_op_threads: int = 1, allow_spinning: bool = False,
             io_binding: bool = True, max_length: int | None = None,
             multi_label_threshold: float = 0.5, name: str | None = None,
             version: str | None = None) -> ClassifierModel:
        files = ModelFiles(Path(model_dir))
        files.check()
        config: dict[str, Any] = json.loads(files.config.read_text(encoding="utf-8"))
        label_space = LabelSpace.from_config(config, default_threshold=multi_label_threshold)
        positions = int(config.get("max_position_embeddings", 512))
        length = min(max_length or DEFAULT_MAX_LENGTH, positions)
        encoder = TextEncoder.from_file(files.tokenizer, max_length=length,
                                        pad_id=config.get("pad_token_id"))
        session = ClassifierSession(files.onnx, device=device, device_id=device_id,
                                    intra_op_threads=intra_op_threads,
                                    inter_op_threads=inter_op_threads,
                                    allow_spinning=allow_spinning, io_binding=io_binding)
        return cls(session, encoder, label_space,
                   name=name or str(config.get("_name_or_path") or files.root.name),
                   version=version or str(config.get("model_version") or _file_digest(files.onnx)))

    def predict(self, encoded: list[EncodedText]) -> npt.NDArray[np.float32]:
        """Scores for a batch of encoded texts (runs in an inference worker thread)."""
        return self.label_space.scores(self.session.run(self.encoder.pad(encoded)))

    def warm_up(self, max_batch_size: int) -> None:
        """Run the shapes serving will see first so the first real requests are not slow."""
        short = EncodedText(ids=[self.encoder.pad_id] * 8, type_ids=[0] * 8, truncated=False)
        full_length = self.encoder.max_length
        full = EncodedText(ids=[self.encoder.pad_id] * full_length, type_ids=[0] * full_length,
                           truncated=False)
        for batch in ([short], [short] * max_batch_size, [full] * max_batch_size):
            self.predict(batch)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]
