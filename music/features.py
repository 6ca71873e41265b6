"""One vector per track: MFCCs of its first 30 seconds, summarised.

The music-recommendation chatbot matched tracks by MFCCs alone (more features made matching
worse). A track's MFCC matrix (20 coefficients × frames) becomes one 40-dimensional vector: the
mean and the standard deviation of each coefficient over time (the timbre and how much it
moves). The vectors are then standardised per dimension over the catalogue (z-scores), so that
the loud first coefficient does not dominate Euclidean distance; the index stores the means and
scales so a new track can be placed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 22050
SECONDS = 30.0
N_MFCC = 20
DIMENSION = 2 * N_MFCC


def mfcc_summary(y: np.ndarray, sr: int = SAMPLE_RATE, seconds: float = SECONDS) -> np.ndarray:
    """The mean and standard deviation of each MFCC over the first `seconds` (float32, 40)."""
    import librosa

    clip = np.asarray(y, dtype=np.float32)[: int(sr * seconds)]
    mfcc = librosa.feature.mfcc(y=clip, sr=sr, n_mfcc=N_MFCC)
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)]).astype(np.float32)


def load_clip(path: str, sr: int = SAMPLE_RATE, seconds: float = SECONDS) -> np.ndarray:
    """The first `seconds` of an audio file, mono, resampled to `sr`."""
    import warnings

    import librosa

    with warnings.catch_warnings():  # a file soundfile cannot read: librosa's fallback warns
        warnings.simplefilter("ignore", (UserWarning, FutureWarning))
        y, _ = librosa.load(path, sr=sr, mono=True, duration=seconds)
    return np.asarray(y, dtype=np.float32)


@dataclass(frozen=True)
class Standardiser:
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, vectors: np.ndarray) -> Standardiser:
        scale = vectors.std(axis=0)
        return cls(vectors.mean(axis=0), np.where(scale > 1e-8, scale, 1.0))

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        return ((vectors - self.mean) / self.scale).astype(np.float32)
