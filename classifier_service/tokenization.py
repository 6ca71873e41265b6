"""Server-side tokenisation with the Rust `tokenizers` library (no transformers, no torch)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Encoding, Tokenizer


@dataclass(slots=True, frozen=True)
class EncodedText:
    ids: list[int]
    type_ids: list[int]
    truncated: bool

    @property
    def length(self) -> int:
        return len(self.ids)


@dataclass(slots=True, frozen=True)
class PaddedBatch:
    """Right-padded model inputs for one batch."""

    input_ids: npt.NDArray[np.int64]
    attention_mask: npt.NDArray[np.int64]
    token_type_ids: npt.NDArray[np.int64]

    @property
    def padded_tokens(self) -> int:
        return int(self.input_ids.size)


class TextEncoder:
    """Tokenises texts for one model: truncation at max_length, padding per batch."""

    def __init__(self, tokenizer: Tokenizer, max_length: int, pad_id: int) -> None:
        self._tokenizer = tokenizer
        self.max_length = max_length
        self.pad_id = pad_id
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_length)

    @classmethod
    def from_file(cls, path: Path, max_length: int, pad_id: int | None = None) -> TextEncoder:
        tokenizer = Tokenizer.from_file(str(path))
        if pad_id is None:
            pad_id = _guess_pad_id(tokenizer)
        return cls(tokenizer, max_length=max_length, pad_id=pad_id)

    def encode(self, texts: list[str]) -> list[EncodedText]:
        if len(texts) == 1:
            encodings = [self._tokenizer.encode(texts[0])]
        else:
            encodings = self._tokenizer.encode_batch(texts)
        return [_to_encoded(e) for e in encodings]

    def pad(self, encoded: list[EncodedText]) -> PaddedBatch:
        width = max(e.length for e in encoded)
        ids = np.full((len(encoded), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        types = np.zeros((len(encoded), width), dtype=np.int64)
        for row, e in enumerate(encoded):
            ids[row, : e.length] = e.ids
            mask[row, : e.length] = 1
            types[row, : e.length] = e.type_ids
        return PaddedBatch(input_ids=ids, attention_mask=mask, token_type_ids=types)


def _to_encoded(encoding: Encoding) -> EncodedText:
    return EncodedText(ids=encoding.ids, type_ids=encoding.type_ids,
                       truncated=bool(encoding.overflowing))


def _guess_pad_id(tokenizer: Tokenizer) -> int:
    for token in ("[PAD]", "<pad>", "<PAD>"):
        token_id = tokenizer.token_to_id(token)
        if token_id is not None:
            return token_id
    return 0
