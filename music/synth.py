"""The embedded default catalogue: original music, synthesised from an emotion.

No music can be downloaded, yet the recommender needs a catalogue whose tracks sound like
their emotion, and whose nearest neighbours by MFCCs (music/features.py: mean and standard
deviation of 20 coefficients) share that emotion. MFCCs hear the spectral envelope and how it
moves, hardly the pitch, so every emotion is given its own timbre and texture first (waveform,
brightness, noise, percussion, loudness and how that varies), and its tempo, mode and melody
second. Tracks within one emotion differ in key, tempo, melody, progression, drum pattern and
instrument (drawn from the emotion's palette), so they are siblings, not copies.

- 행복 (happy): fast (118-146 bpm), major or major pentatonic, high register, bright
  saw-like plucks that die away quickly, off-beat staccato chords, a four-on-the-floor kick
  with claps and hi-hats: bright, busy and bouncy.
- 불안 (anxious): unsteady tempo feel (84-112 bpm) with irregular note lengths, chromatic
  melody over tritone clusters, mid-high reedy timbre (odd harmonics) under a fast
  tremolo, a ticking clock that skips: the spectrum trembles without a steady pulse.
- 슬픔 (sad): slow (54-70 bpm), natural or harmonic minor, low register, soft near-sine
  voices with slow attacks and legato lines over a sustained pad, no percussion, quiet:
  dark, smooth and still.
- 당황 (flustered, surprised): 100-138 bpm, whole-tone or chromatic wide leaps, staccato
  xylophone-like tones with rests, loudness that jumps between whispers and shouts, wood
  blocks and sudden crashes: the envelope lurches.
- 상처 (hurt): slow (50-66 bpm), dorian or harmonic minor, a sparse breathy melody high
  up (flute-like tone with band-passed breath noise) over a quiet low drone: thin, airy and
  empty.
- 분노 (angry): fast (142-176 bpm), phrygian or minor, low register, square and saw waves
  driven into distortion (power chords), dense kick, snare and 16th-note hats, loud: a
  wall of harmonics and noise.
- 중립 (neutral): moderate (88-108 bpm), major, mid register, an organ-like electric piano
  playing simple block triads on the beat, a plain bass and a soft steady hi-hat, even
  dynamics: nothing stands out.

Rendering is pure numpy, vectorised within blocks of samples: a voice is a sequence of
notes, every sample knows its note's values (np.repeat) and the time since its onset, so an
oscillator is a wavetable look-up of a closed-form phase and an envelope is a few array
operations; drums are one-shot samples read the same way. Blocks keep temporaries in cache
and avoid fresh memory for each one, which matters more than the arithmetic. A 30 s clip
takes a few tens of milliseconds; every random choice comes from one generator seeded by
(seed, emotion, index), so a track is the same wherever it is rebuilt.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

EMOTIONS: tuple[str, ...] = ("행복", "불안", "슬픔", "당황", "상처", "분노", "중립")
ARTIST = "emotion-chat 합성 악단"
LICENCE = "CC0-1.0 (synthesised by emotion-chat)"

SLUGS: dict[str, str] = {"행복": "haengbok", "불안": "buran", "슬픔": "seulpeum",
                         "당황": "danghwang", "상처": "sangcheo", "분노": "bunno",
                         "중립": "jungnip"}
"""ASCII track-id prefixes (revised romanisation), so ids are safe in URLs and file names."""

CSV_HEADER = ("track_id", "title", "artist", "emotions", "file", "licence", "duration_s")

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "pentatonic": (0, 2, 4, 7, 9),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "whole_tone": (0, 2, 4, 6, 8, 10),
    "chromatic": tuple(range(12)),
}
"""Semitones above the tonic; a track's mode is drawn from its emotion's list."""

CHORDS: dict[str, tuple[int, ...]] = {
    "power": (0, 7, 12),
    "cluster": (0, 1, 6),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
}
"""Fixed chord shapes in semitones; "triad" (stacked scale thirds) follows the mode instead."""

TABLE_SIZE = 4096
"""Wavetable length; a power of two so a phase index wraps with a bit mask."""


def _partials(count: int, tilt: float, odd_only: bool = False) -> tuple[float, ...]:
    """Harmonic weights 1/k**tilt: a small tilt is bright (saw-like), a large one dull."""
    return tuple(0.0 if odd_only and k % 2 == 0 else round(1.0 / k**tilt, 4)
                 for k in range(1, count + 1))


@dataclass(frozen=True, kw_only=True)
class Traits:
    """How one emotion sounds. Ranges and palettes are sampled per track, so tracks of one
    emotion share a character without being copies."""

    # Time.
    tempo_bpm: tuple[float, float]
    notes_per_beat: float
    """Rhythm density of the melody."""
    irregularity: float = 0.0
    """0: notes on the grid; 1: every note length drawn at random (no steady pulse)."""
    rest_prob: float = 0.05
    """Chance that a melody note is silent: sparse lines leave room for the texture."""

    # Pitch.
    mode: str
    """The scale (SCALES) of the melody and triads."""
    other_modes: tuple[str, ...] = ()
    """Further scales a track may be in instead of `mode`, for variety."""
    progressions: tuple[tuple[int, ...], ...]
    """Chord roots per bar, in scale degrees (semitones for the chromatic mode)."""
    register: tuple[int, int]
    """MIDI range of the melody's tonic; bass and chords are placed relative to it."""
    leap: int = 2
    """Largest melodic step, in scale degrees."""
    span: int = 9
    """Melodic range in scale degrees."""

    # Timbre and articulation of the melody.
    timbre: tuple[tuple[float, ...], ...]
    """Palette of melody instruments (harmonic weights); one is drawn per track. Entries
    share a spectral tilt, since the tilt is what MFCCs recognise the emotion by."""
    articulation: float = 0.9
    """Sounding fraction of each note's slot: low is staccato, 1 is legato."""
    attack_s: float = 0.005
    decay_s: float = 0.0
    """Exponential decay time of a note (0: sustained until released); short is plucky."""
    tremolo_hz: float = 0.0
    tremolo_depth: float = 0.0
    vibrato: float = 0.0
    """Depth of a 5-6 Hz pitch vibrato, as a frequency ratio."""
    breath: float = 0.0
    """Band-passed noise following the melody's envelope, relative to the melody."""
    drive: float = 0.0
    """Distortion (tanh gain) of the whole tonal mix; 0 keeps it clean."""

    # Dynamics.
    loudness: float = 0.15
    """Target RMS of the finished clip (MFCC 0 follows loudness)."""
    dynamic_range: float = 0.2
    """Random spread of note velocities."""
    accent_jumps: float = 0.0
    """Chance per note that the loudness level jumps between a whisper and a shout."""

    # Accompaniment.
    chord: str = "triad"
    """"triad" (stacked scale thirds) or a fixed shape from CHORDS."""
    chord_timbre: tuple[float, ...] = (1.0, 0.3, 0.1)
    chord_level: float = 0.5
    chords_per_beat: float = 0.0
    """Chord attacks per beat; 0 holds one chord per bar."""
    chord_offbeat: bool = False
    chord_articulation: float = 1.0
    bass_timbre: tuple[float, ...] = (1.0, 0.2)
    bass_level: float = 0.5
    bass_per_beat: float = 1.0
    """Bass notes per beat; 0 holds one note per bar (a drone)."""
    drums: tuple[tuple[str, str], ...] = ()
    """(kind, patterns): 16 steps a bar, `x` hit, `o` soft hit, `?` a coin toss, `.` none;
    `|` separates alternative patterns, one drawn per track."""
    drum_level: float = 0.0
    """Drum mix level relative to the tonal mix."""
    noise_floor: float = 0.0
    """Steady hiss relative to the tonal mix, so quiet moments are never digital silence."""


_MAJOR_PROGS = ((0, 4, 5, 3), (0, 3, 4, 0), (0, 5, 3, 4), (0, 3, 0, 4), (5, 3, 0, 4))
_MINOR_PROGS = ((0, 5, 2, 6), (0, 3, 4, 0), (0, 5, 3, 4), (0, 6, 5, 4), (0, 3, 6, 2))

TRAITS: dict[str, Traits] = {
    "행복": Traits(
        tempo_bpm=(118, 146), mode="major", other_modes=("pentatonic",),
        progressions=_MAJOR_PROGS, register=(67, 74),
        timbre=(_partials(14, 0.9), _partials(12, 1.1), _partials(10, 0.8)),
        notes_per_beat=2.0, irregularity=0.1, leap=2, span=9, articulation=0.55,
        attack_s=0.002, decay_s=0.16, loudness=0.17, dynamic_range=0.25, rest_prob=0.08,
        chord="triad", chord_timbre=_partials(8, 1.2), chord_level=0.45, chords_per_beat=1.0,
        chord_offbeat=True, chord_articulation=0.35, bass_timbre=(1.0, 0.5, 0.25),
        bass_level=0.5, bass_per_beat=1.0,
        drums=(("kick", "x...x...x...x...|x...x...x...x.x."),
               ("clap", "....x.......x...|....x.......x..o"),
               ("hat", "..x...x...x...x.|o.x.o.x.o.x.o.x.")),
        drum_level=0.45, noise_floor=0.002),
    "불안": Traits(
        tempo_bpm=(84, 112), mode="chromatic",
        progressions=((0, 1, 0, 11), (0, 6, 1, 7), (0, 11, 10, 11)), register=(62, 70),
        timbre=(_partials(11, 0.9, odd_only=True), _partials(9, 0.8, odd_only=True)),
        notes_per_beat=2.5, irregularity=0.9, leap=3, span=10, articulation=0.85,
        attack_s=0.02, decay_s=0.0, loudness=0.12, dynamic_range=0.35, rest_prob=0.12,
        tremolo_hz=9.0, tremolo_depth=0.95, vibrato=0.012, breath=0.35,
        chord="cluster", chord_timbre=_partials(7, 1.0, odd_only=True), chord_level=0.5,
        chords_per_beat=0.0, bass_timbre=(1.0, 0.0, 0.3), bass_level=0.3, bass_per_beat=0.5,
        drums=(("tick", "x?x?x?x?x?x?x?x?|?x?x??x?x?x??x?"),
               ("kick", "x..o....x..o....|x..o.x..o...x..o")),
        drum_level=0.35, noise_floor=0.006),
    "슬픔": Traits(
        tempo_bpm=(54, 70), mode="minor", other_modes=("harmonic_minor",),
        progressions=_MINOR_PROGS, register=(45, 52),
        timbre=((1.0, 0.25, 0.06), (1.0, 0.15, 0.08, 0.03), (1.0, 0.3, 0.05)),
        notes_per_beat=1.0, irregularity=0.15, leap=2, span=7, articulation=1.0,
        attack_s=0.25, decay_s=0.0, loudness=0.07, dynamic_range=0.1, rest_prob=0.05,
        vibrato=0.004, chord="triad", chord_timbre=(1.0, 0.2, 0.05), chord_level=0.6,
        chords_per_beat=0.0, bass_timbre=(1.0, 0.1), bass_level=0.45, bass_per_beat=0.25,
        noise_floor=0.001),
    "당황": Traits(
        tempo_bpm=(100, 138), mode="whole_tone", other_modes=("chromatic",),
        progressions=((0, 3, 0, 5), (0, 4, 2, 6), (0, 6, 0, 6)), register=(60, 72),
        timbre=((1.0, 0.0, 0.0, 0.55, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3),
                (1.0, 0.0, 0.45, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.15)),
        notes_per_beat=2.0, irregularity=0.4, leap=7, span=16, articulation=0.25,
        attack_s=0.001, decay_s=0.07, loudness=0.13, dynamic_range=0.15, accent_jumps=0.22,
        rest_prob=0.3, chord="augmented", chord_timbre=(1.0, 0.0, 0.4, 0.0, 0.2),
        chord_level=0.5, chords_per_beat=0.5, chord_articulation=0.15,
        bass_timbre=(1.0, 0.4), bass_level=0.35, bass_per_beat=0.5,
        drums=(("block", "x..?..x.?...x..?|?.x...?..x.?..x."),
               ("crash", "?...............|........?......."),
               ("tom", "..........x.x.x.|......?.......x.")),
        drum_level=0.5, noise_floor=0.002),
    "상처": Traits(
        tempo_bpm=(50, 66), mode="harmonic_minor", other_modes=("dorian",),
        progressions=_MINOR_PROGS, register=(74, 81),
        timbre=((1.0, 0.12, 0.04), (1.0, 0.05, 0.1)),
        notes_per_beat=0.5, irregularity=0.35, leap=3, span=8, articulation=0.8,
        attack_s=0.12, decay_s=0.0, loudness=0.06, dynamic_range=0.3, rest_prob=0.35,
        vibrato=0.006, breath=0.9, chord_level=0.0, bass_timbre=(1.0, 0.15), bass_level=0.5,
        bass_per_beat=0.0, noise_floor=0.01),
    "분노": Traits(
        tempo_bpm=(142, 176), mode="phrygian", other_modes=("minor",),
        progressions=((0, 1, 0, 1), (0, 5, 6, 0), (0, 0, 5, 1)), register=(40, 47),
        timbre=(_partials(16, 1.0, odd_only=True), _partials(18, 1.0)),
        notes_per_beat=4.0, irregularity=0.05, leap=3, span=7, articulation=0.9,
        attack_s=0.002, decay_s=0.0, loudness=0.3, dynamic_range=0.1, rest_prob=0.04,
        drive=6.0, chord="power", chord_timbre=_partials(14, 1.0), chord_level=0.7,
        chords_per_beat=2.0, chord_articulation=0.9, bass_timbre=_partials(10, 1.0),
        bass_level=0.7, bass_per_beat=4.0,
        drums=(("kick", "x.x.x..xx.x.x..x|x..xx.x.x..xx.x."),
               ("snare", "....x.......x...|....x..x....x.x."),
               ("hat", "xxxxxxxxxxxxxxxx")),
        drum_level=0.7, noise_floor=0.004),
    "중립": Traits(
        tempo_bpm=(88, 108), mode="major", progressions=_MAJOR_PROGS, register=(55, 62),
        timbre=((1.0, 0.5, 0.3, 0.15, 0.08), (1.0, 0.6, 0.2, 0.2, 0.05)),
        notes_per_beat=1.0, irregularity=0.0, leap=2, span=7, articulation=0.8,
        attack_s=0.01, decay_s=0.6, loudness=0.11, dynamic_range=0.05, rest_prob=0.05,
        chord="triad", chord_timbre=(1.0, 0.5, 0.3, 0.15), chord_level=0.5,
        chords_per_beat=1.0, chord_articulation=0.8, bass_timbre=(1.0, 0.3),
        bass_level=0.45, bass_per_beat=1.0,
        drums=(("hat", "o...o...o...o...|o.......o......."),),
        drum_level=0.2, noise_floor=0.002),
}


# --- rendering helpers -------------------------------------------------------------------


BLOCK = 16384
"""Samples rendered at a time. Whole-clip temporaries cost more in fresh memory (page
faults) than in arithmetic; blocks this size stay in cache and their memory is reused."""

_LOCAL = np.arange(BLOCK, dtype=np.int64)
_LOCAL.flags.writeable = False


@lru_cache(maxsize=4)
def _noise(n: int) -> np.ndarray:
    """A fixed white-noise buffer of 2n samples (uniform, cheaper than Gaussian); a track
    reads n of them from its own offset, since generating noise per track would cost more
    than the music."""
    rng = np.random.default_rng(0x5EED)
    buf = rng.random(2 * n, dtype=np.float32)
    buf *= 2.0
    buf -= 1.0
    buf.flags.writeable = False
    return buf


@lru_cache(maxsize=4)
def _breath_noise(n: int) -> np.ndarray:
    """_noise band-passed (difference of two moving averages, about 2-6 kHz at 22 kHz): the
    hiss of air through a flute or a voice."""
    white = _noise(n).astype(np.float64)
    size = white.size
    total = np.concatenate([[0.0], np.cumsum(white)])
    narrow, wide = 3, 12
    band = np.zeros(size, dtype=np.float32)
    band[wide:] = ((total[wide + 1:] - total[wide + 1 - narrow: size + 1 - narrow]) / narrow
                   - (total[wide + 1:] - total[1: size + 1 - wide]) / wide)
    band *= 1.0 / float(np.abs(band).max())
    band.flags.writeable = False
    return band


@lru_cache(maxsize=64)
def _table(harmonics: tuple[float, ...], max_harmonic: int) -> np.ndarray:
    """One period of a waveform, harmonics above `max_harmonic` dropped so the highest
    notes of a voice do not alias; peak-normalised so palettes mix at equal level."""
    phase = np.arange(TABLE_SIZE) * (2.0 * np.pi / TABLE_SIZE)
    wave = np.zeros(TABLE_SIZE)
    for k, weight in enumerate(harmonics[:max(1, max_harmonic)], start=1):
        if weight:
            wave += weight * np.sin(k * phase)
    peak = np.abs(wave).max()
    wave = wave / peak if peak > 0 else wave
    return wave.astype(np.float32)


def _notes(n: int, onsets: np.ndarray, *values: tuple[np.ndarray, float],
           ) -> tuple[np.ndarray, ...]:
    """Onsets made usable for block rendering, and per-note values aligned with them.

    Onsets must be sorted; notes past the end are dropped, notes sharing an onset collapse
    onto the last, and a silent note (each value's fill) starts at 0 when no note does, so
    every sample belongs to exactly one note."""
    onsets = np.asarray(onsets, dtype=np.int64)
    keep = onsets < n
    used = np.unique(onsets[keep])
    if used.size == 0 or used[0] > 0:
        used = np.concatenate([[0], used]).astype(np.int64)
    where = np.searchsorted(used, onsets[keep])
    aligned = []
    for value, fill in values:
        out = np.full((used.size, *value.shape[1:]), fill, dtype=value.dtype)
        out[where] = value[keep]
        aligned.append(out)
    return (used, *aligned)


def _blocks(used: np.ndarray, n: int) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
    """(start, end, first note, end note, samples of each note in the block) per block."""
    ends = np.append(used[1:], n)
    starts = np.arange(0, n, BLOCK)
    first = np.searchsorted(used, starts, side="right") - 1
    last = np.searchsorted(used, np.minimum(starts + BLOCK, n), side="left")
    for a, lo, hi in zip(starts.tolist(), first.tolist(), last.tolist(), strict=True):
        b = min(a + BLOCK, n)
        yield a, b, lo, hi, np.minimum(ends[lo:hi], b) - np.maximum(used[lo:hi], a)


def _midi_hz(midi: np.ndarray) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)


@dataclass(frozen=True)
class _Articulation:
    """How a voice's notes start, fade and wobble (seconds and hertz)."""

    attack_s: float = 0.005
    decay_s: float = 0.0
    release_s: float = 0.03
    vibrato: tuple[float, float] = (0.0, 0.0)
    """(rate, depth as a frequency ratio)."""
    tremolo: tuple[float, float] = (0.0, 0.0)
    """(rate, depth): amplitude dips by up to depth."""
    breath: float = 0.0
    """Band-passed noise under the envelope, relative to the tone."""
    breath_offset: int = 0


def _voice(out: np.ndarray, sr: int, onsets: np.ndarray, midi: np.ndarray, amps: np.ndarray,
           gates: np.ndarray, harmonics: tuple[float, ...], art: _Articulation,
           level: float = 1.0) -> None:
    """Add a monophonic line (or block chords: `midi` of shape notes × tones) to `out`.

    Each sample knows the samples since its note began, so the phase has a closed form
    (the note's start phase plus its increment times that time) instead of a running sum
    over every sample; start phases carry on from the previous note, so pitch changes never
    click. Vibrato is a phase modulation of that time."""
    n = out.size
    midi = np.asarray(midi, dtype=np.float64)
    if midi.ndim == 1:
        midi = midi[:, None]
    used, midi_u, amps_u, gates_u = _notes(
        n, onsets, (midi, 60.0), (np.asarray(amps, dtype=np.float32) * np.float32(level), 0.0),
        (np.asarray(gates, dtype=np.float32), 0.0))
    hz = _midi_hz(midi_u)
    table = _table(harmonics, int(sr / 2 / hz.max()))
    inc = hz * (TABLE_SIZE / sr)  # table positions per sample, notes × tones
    travel = inc * np.diff(np.append(used, n))[:, None]
    start = np.mod(np.cumsum(travel, axis=0) - travel, TABLE_SIZE)
    inc_t, start_t = inc.T.copy(), start.T.copy()
    attack = np.float32(1.0 / max(art.attack_s * sr, 1.0))
    decay = np.float32(-1.0 / (art.decay_s * sr)) if art.decay_s > 0 else None
    release = np.float32(1.0 / max(art.release_s * sr, 1.0))
    vib_rate, vib_depth = art.vibrato
    vib_w = 2 * np.pi * vib_rate / sr
    vib_amount = vib_depth / vib_w if vib_depth > 0 else 0.0  # samples of phase swing
    trem_rate, trem_depth = art.tremolo
    trem_w = np.float32(2 * np.pi * trem_rate / sr)
    band = _breath_noise(n)[art.breath_offset:] if art.breath > 0 else None
    mask = TABLE_SIZE - 1

    for a, b, lo, hi, seg in _blocks(used, n):
        if not amps_u[lo:hi].any():
            continue
        since = _LOCAL[: b - a] + a
        since -= np.repeat(used[lo:hi], seg)
        t = since.astype(np.float32)
        env = np.repeat(amps_u[lo:hi], seg)
        if art.attack_s > 0:
            env *= np.minimum(t * attack, np.float32(1.0))
        if decay is not None:
            env *= np.exp(t * decay)
        gate = np.repeat(gates_u[lo:hi], seg)
        gate -= t
        gate *= release
        env *= np.clip(gate, 0.0, 1.0, out=gate)
        if trem_depth > 0:
            wobble = np.sin((_LOCAL[: b - a] + a).astype(np.float32) * trem_w)
            env *= (1.0 - trem_depth / 2) - (trem_depth / 2) * wobble
        clock = since.astype(np.float64)
        if vib_amount:
            clock -= vib_amount * np.cos((_LOCAL[: b - a] + a) * vib_w)
        acc = np.zeros(b - a, dtype=np.float32)
        for tone in range(inc_t.shape[0]):
            phase = np.repeat(inc_t[tone, lo:hi], seg)
            phase *= clock
            phase += np.repeat(start_t[tone, lo:hi], seg)
            index = phase.astype(np.int64)
            index &= mask
            acc += table[index]
        if band is not None:
            acc += np.float32(art.breath) * band[a:b]
        acc *= env
        out[a:b] += acc


@lru_cache(maxsize=32)
def _drum(kind: str, sr: int) -> np.ndarray:
    """A one-shot drum sample (ending in silence, so indexing past it reads zero)."""
    rng = np.random.default_rng(sum(map(ord, kind)))
    length = {"kick": 0.35, "snare": 0.25, "hat": 0.09, "clap": 0.2, "tick": 0.05,
              "block": 0.09, "crash": 1.6, "tom": 0.3}[kind]
    t = np.arange(int(length * sr)) / sr
    noise = rng.uniform(-1.0, 1.0, t.size)
    bright = np.diff(noise, prepend=0.0)
    if kind == "kick":
        tau = 0.03
        phase = 2 * np.pi * (48.0 * t + 110.0 * tau * (1 - np.exp(-t / tau)))
        wave = np.sin(phase) * np.exp(-t / 0.13) + 0.3 * bright * np.exp(-t / 0.004)
    elif kind == "snare":
        wave = (0.8 * noise * np.exp(-t / 0.06)
                + 0.5 * np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.04))
    elif kind == "hat":
        wave = bright * np.exp(-t / 0.015)
    elif kind == "clap":
        bursts = sum(np.exp(-np.clip(t - d, 0, None) / 0.008) * (t >= d)
                     for d in (0.0, 0.011, 0.023))
        wave = 0.6 * (noise + bright) * (bursts + 0.5 * np.exp(-t / 0.06))
    elif kind == "tick":
        wave = (np.sin(2 * np.pi * 2900 * t) + 0.5 * np.sin(2 * np.pi * 4700 * t)) \
            * np.exp(-t / 0.006)
    elif kind == "block":
        wave = (np.sin(2 * np.pi * 880 * t) + 0.6 * np.sin(2 * np.pi * 1520 * t)) \
            * np.exp(-t / 0.018)
    elif kind == "crash":
        wave = (bright + 0.3 * noise) * np.exp(-t / 0.45)
    else:  # tom
        tau = 0.08
        phase = 2 * np.pi * (110.0 * t + 90.0 * tau * (1 - np.exp(-t / tau)))
        wave = np.sin(phase) * np.exp(-t / 0.12)
    wave = wave / np.abs(wave).max()
    return np.append(wave, 0.0).astype(np.float32)


def _hits(out: np.ndarray, onsets: np.ndarray, amps: np.ndarray, sample: np.ndarray,
          level: float) -> None:
    """Add drum hits to `out`: each sample reads the one-shot at its time since the latest
    hit (a new hit cuts the previous one, as on a real drum)."""
    n = out.size
    used, amps_u = _notes(n, onsets, (np.asarray(amps, dtype=np.float32) * np.float32(level),
                                      0.0))
    last = sample.size - 1
    for a, b, lo, hi, seg in _blocks(used, n):
        if not amps_u[lo:hi].any():
            continue
        since = _LOCAL[: b - a] + a
        since -= np.repeat(used[lo:hi], seg)
        hit = sample[np.minimum(since, last, out=since)]
        hit *= np.repeat(amps_u[lo:hi], seg)
        out[a:b] += hit


def _degrees_to_semitones(scale: tuple[int, ...], degrees: np.ndarray) -> np.ndarray:
    """Scale degrees (any integer, octaves included) as semitones above the tonic."""
    steps = np.asarray(scale, dtype=np.int64)
    degrees = np.asarray(degrees, dtype=np.int64)
    semitones: np.ndarray = steps[degrees % len(scale)] + 12 * (degrees // len(scale))
    return semitones


def _fold(values: np.ndarray, low: int, high: int) -> np.ndarray:
    """Reflect a random walk back into [low, high] so the melody wanders but stays put."""
    width = high - low
    x = np.mod(values - low, 2 * width)
    folded: np.ndarray = low + np.where(x > width, 2 * width - x, x)
    return folded


def _rng(emotion: str, index: int, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, EMOTIONS.index(emotion), index])


def _check(emotion: str) -> Traits:
    traits = TRAITS.get(emotion)
    if traits is None:
        raise ValueError(f"unknown emotion {emotion!r}; known: {', '.join(EMOTIONS)}")
    return traits


# --- composition --------------------------------------------------------------------------


def synthesize(emotion: str, index: int, seed: int = 0, seconds: float = 30.0,
               sample_rate: int = 22050) -> np.ndarray:
    """One track: mono float32 in [-1, 1], the same for the same (emotion, index, seed),
    so the catalogue can be rebuilt anywhere and always matches its index."""
    tr = _check(emotion)
    rng = _rng(emotion, index, seed)
    sr = sample_rate
    n = max(round(seconds * sr), 1)

    tempo = rng.uniform(*tr.tempo_bpm)
    beat = 60.0 / tempo * sr  # samples per beat
    bar = 4 * beat
    bars = int(np.ceil(n / bar)) + 1
    modes = (tr.mode, *tr.other_modes)
    mode = modes[rng.integers(len(modes))]
    scale = SCALES[mode]
    tonic = int(rng.integers(tr.register[0], tr.register[1] + 1))
    progression = np.asarray(tr.progressions[rng.integers(len(tr.progressions))])
    roots = progression[np.arange(bars) % progression.size]  # scale degrees per bar
    tremolo = (tr.tremolo_hz * rng.uniform(0.8, 1.25), tr.tremolo_depth)
    tonal = np.zeros(n, dtype=np.float32)

    # Melody: a motif (rhythm and contour) repeated per phrase, transposed and mutated, so
    # it sounds composed rather than random, yet each track's motif is its own.
    slot = beat / tr.notes_per_beat
    motif = 8
    grid = rng.choice([1.0, 1.0, 1.0, 2.0], motif)
    free = rng.choice([0.5, 0.75, 1.0, 1.5, 2.0, 3.0], motif)
    durs_motif = np.where(rng.random(motif) < tr.irregularity, free, grid)
    steps_motif = rng.integers(-tr.leap, tr.leap + 1, motif)
    phrases = int(n / (slot * 0.5)) // motif + 2
    durs = np.tile(durs_motif, phrases)
    steps = np.tile(steps_motif, phrases)
    mutate = rng.random(durs.size) < 0.15 + 0.5 * tr.irregularity
    durs = np.where(mutate, rng.choice([0.5, 1.0, 1.5, 2.0], durs.size), durs)
    steps = np.where(rng.random(steps.size) < 0.25,
                     rng.integers(-tr.leap, tr.leap + 1, steps.size), steps)
    shift = np.repeat(rng.integers(-2, 3, phrases), motif)
    degrees = _fold(np.cumsum(steps) + shift + tr.span // 2, 0, tr.span)
    lengths = durs * slot
    onsets = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    keep = onsets < n
    onsets, lengths, degrees = onsets[keep], lengths[keep], degrees[keep]
    notes = onsets.size
    amps = 0.8 + tr.dynamic_range * (rng.random(notes) - 0.5) * 2
    if tr.accent_jumps > 0:  # loudness holds, then jumps: whisper, shout, whisper
        jumps = np.cumsum(rng.random(notes) < tr.accent_jumps)
        level = np.where(rng.random(jumps.max() + 1) < 0.5, 0.12, 1.25)
        amps = amps * level[jumps]
    amps = np.where(rng.random(notes) < tr.rest_prob, 0.0, amps)
    lead_art = _Articulation(
        attack_s=tr.attack_s, decay_s=tr.decay_s, tremolo=tremolo,
        vibrato=(rng.uniform(4.8, 6.2), tr.vibrato), breath=tr.breath * 2.5,
        breath_offset=int(rng.integers(n)))
    _voice(tonal, sr, onsets.astype(np.int64), tonic + _degrees_to_semitones(scale, degrees),
           amps, lengths * tr.articulation, tr.timbre[rng.integers(len(tr.timbre))],
           lead_art)

    # Chords on the bar's root, an octave below the tonic.
    chord_root = tonic - 12 + _degrees_to_semitones(scale, roots)
    if tr.chord == "triad" and mode != "chromatic":
        shape = np.stack([_degrees_to_semitones(scale, roots + k) for k in (0, 2, 4)], 1)
        chord_midi = tonic - 12 + shape
    else:
        chord_midi = chord_root[:, None] + np.asarray(CHORDS.get(tr.chord, (0, 4, 7)))
    if tr.chord_level > 0:
        if tr.chords_per_beat > 0:
            per = beat / tr.chords_per_beat
            c_on = np.arange(0.0, bars * bar, per) + (per / 2 if tr.chord_offbeat else 0.0)
            c_gate = np.full(c_on.size, per * tr.chord_articulation)
        else:
            c_on = np.arange(bars, dtype=np.float64) * bar
            c_gate = np.full(c_on.size, bar * tr.chord_articulation)
        c_bar = np.minimum((c_on // bar).astype(np.int64), bars - 1)
        c_amp = 1.0 + 0.1 * (rng.random(c_on.size) - 0.5)
        if tr.accent_jumps > 0:
            c_amp = c_amp * np.where(rng.random(c_on.size) < 0.5, 0.15, 1.2)
        chord_art = _Articulation(attack_s=max(tr.attack_s, 0.004), decay_s=tr.decay_s * 2,
                                  release_s=0.05, tremolo=tremolo)
        _voice(tonal, sr, c_on.astype(np.int64), chord_midi[c_bar], c_amp, c_gate,
               tr.chord_timbre, chord_art, level=tr.chord_level / 3)

    if tr.bass_level > 0:
        bass_midi = chord_root - 12 * np.ceil((chord_root - 47) / 12).clip(0)
        per = beat / tr.bass_per_beat if tr.bass_per_beat > 0 else bar
        b_on = np.arange(0.0, bars * bar, per)
        b_bar = np.minimum((b_on // bar).astype(np.int64), bars - 1)
        _voice(tonal, sr, b_on.astype(np.int64), bass_midi[b_bar], np.ones(b_on.size),
               np.full(b_on.size, per * 0.9), tr.bass_timbre,
               _Articulation(attack_s=0.01, release_s=0.04), level=tr.bass_level)

    if tr.drive > 0:
        tonal *= np.float32(tr.drive / (float(np.abs(tonal).max()) or 1.0))
        np.tanh(tonal, out=tonal)
    mix = tonal
    mix *= np.float32(1.0 / _rms(mix))

    if tr.drums and tr.drum_level > 0:
        step = bar / 16
        steps_total = bars * 16
        for kind, patterns in tr.drums:
            options = patterns.split("|")
            pattern = options[rng.integers(len(options))]
            cells = np.array(list(pattern))[np.arange(steps_total) % len(pattern)]
            coin = rng.random(steps_total) < 0.5
            hit = (cells == "x") | (cells == "o") | ((cells == "?") & coin)
            where = np.flatnonzero(hit)
            level = np.where(cells[where] == "o", 0.45, 1.0) * rng.uniform(0.85, 1.0, where.size)
            _hits(mix, (where * step).astype(np.int64), level, _drum(kind, sr),
                  tr.drum_level * 3)

    if tr.noise_floor > 0:
        offset = int(rng.integers(n))
        mix += np.float32(tr.noise_floor * 20) * _noise(n)[offset: offset + n]

    mix *= np.float32(tr.loudness / _rms(mix))
    peak = float(np.abs(mix).max())
    if peak > 0.99:
        mix *= np.float32(0.99 / peak)
    fade_in, fade_out = min(int(0.05 * n), int(0.8 * sr)), min(int(0.1 * n), int(2.0 * sr))
    if fade_in > 0:
        mix[:fade_in] *= np.linspace(0.0, 1.0, fade_in, dtype=np.float32)
    if fade_out > 0:
        mix[n - fade_out:] *= np.linspace(1.0, 0.0, fade_out, dtype=np.float32) ** 2
    np.clip(mix, -1.0, 1.0, out=mix)
    return mix


def _rms(x: np.ndarray) -> float:
    """Root mean square (1.0 for silence, so dividing by it is always safe)."""
    value = float(np.sqrt(np.dot(x, x) / max(x.size, 1)))
    return value if value > 0 else 1.0


# --- titles ---------------------------------------------------------------------------------

_TITLE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "행복": (("햇살 가득한", "반짝이는", "춤추는", "설레는", "노란", "가벼운", "웃음 짓는",
             "달콤한", "휘파람 부는", "봄날의", "신나는", "포근한", "두근대는", "맑은",
             "소풍 가는"),
            ("오후", "골목길", "자전거", "풍선", "아침", "정원", "산책", "왈츠", "편지",
             "창가", "토요일", "바람", "축제", "햇빛")),
    "불안": (("잠들지 못하는", "흔들리는", "떨리는", "초조한", "어두운", "멈추지 않는",
             "조여 오는", "깜빡이는", "서성이는", "불 꺼진", "식은땀 나는", "보이지 않는",
             "끝나지 않는", "희미한", "웅성이는"),
            ("복도", "시계 소리", "새벽 세 시", "계단", "그림자", "발소리", "초침", "전화벨",
             "문고리", "안개", "대기실", "신호등", "창문", "숨소리")),
    "슬픔": (("비 내리는", "젖은", "멀어지는", "잿빛", "텅 빈", "오래된", "닿지 않는",
             "눈물 어린", "저무는", "늦가을", "조용히 지는", "돌아오지 않는", "희미해진",
             "쓸쓸한", "기울어진"),
            ("편지", "창가", "기차역", "정류장", "골목", "일기장", "우산", "노을", "겨울밤",
             "사진첩", "바다", "의자", "방", "발자국")),
    "당황": (("갑자기 울린", "엉켜 버린", "뒤집힌", "허둥대는", "깜짝 놀란", "미끄러진",
             "예고 없는", "엇갈린", "튀어 오른", "당혹스러운", "어리둥절한", "쏟아진",
             "엉뚱한", "길 잃은", "멈칫한"),
            ("초인종", "계단", "점심시간", "엘리베이터", "우산", "발표", "신발끈", "오후",
             "퍼즐", "전화", "첫인사", "장바구니", "실수", "모퉁이")),
    "상처": (("금 간", "아문 듯한", "지워지지 않는", "부서진", "시린", "남겨진",
             "말하지 못한", "가시 돋친", "얼어붙은", "상처 입은", "닫힌", "흐려진", "깨진",
             "베인", "멍든"),
            ("마음", "유리잔", "손끝", "약속", "기억", "꽃잎", "편지", "거울", "목소리", "밤",
             "창문", "계절", "노래", "자리")),
    "분노": (("타오르는", "끓어오르는", "부서지는", "폭풍 치는", "붉은", "멈추지 않는",
             "거친", "으르렁대는", "터져 나온", "날 선", "불타는", "울부짖는", "깨부수는",
             "뜨거운", "질주하는"),
            ("심장", "주먹", "엔진", "천둥", "도시", "북소리", "철길", "불꽃", "함성", "밤",
             "벽", "파도", "폭주", "사이렌")),
    "중립": (("평범한", "잔잔한", "느긋한", "고요한", "담담한", "흘러가는", "일상의",
             "보통의", "차분한", "회색빛", "무심한", "규칙적인", "적당한", "한가로운",
             "익숙한"),
            ("화요일", "오후", "산책", "커피", "창밖", "버스", "책상", "풍경", "하루", "거리",
             "시간", "구름", "정류장", "걸음")),
}
"""Modifiers and nouns per emotion (15 × 14 = 210 titles), so titles stay unique well past
the 200 tracks an emotion could plausibly get."""


def title(emotion: str, index: int, seed: int = 0) -> str:
    """A Korean title in the track's mood: a modifier and a noun from the emotion's lists.

    Track i takes modifier i mod M and noun (i div M + i mod M) mod N (each list in a
    seeded order), which gives all M × N pairs once before repeating, and consecutive
    tracks share neither word, so a list of recommendations does not read like a template.
    Past M × N a number keeps titles unique."""
    _check(emotion)
    modifiers, nouns = _TITLE_WORDS[emotion]
    rng = np.random.default_rng([seed, EMOTIONS.index(emotion), 7919])
    mod_order, noun_order = rng.permutation(len(modifiers)), rng.permutation(len(nouns))
    total = len(modifiers) * len(nouns)
    lap, within = divmod(index, total)
    q, r = divmod(within, len(modifiers))
    name = f"{modifiers[mod_order[r]]} {nouns[noun_order[(q + r) % len(nouns)]]}"
    return name if lap == 0 else f"{name} {lap + 1}"


def track_id(emotion: str, index: int) -> str:
    """ASCII ids (romanised emotion, 1-based number) for URLs and file names."""
    _check(emotion)
    return f"{SLUGS[emotion]}-{index + 1:03d}"


# --- catalogue -----------------------------------------------------------------------------


def write_catalogue(out_dir: Path, per_emotion: int = 12, seed: int = 0,
                    seconds: float = 30.0, sample_rate: int = 22050,
                    progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the audio and catalogue.csv, returning the csv's path.

    Everything goes to a temporary sibling folder that replaces `out_dir` only when complete,
    so a reader (or a crashed build) never sees half a catalogue."""
    import soundfile as sf

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp",
                                    dir=out_dir.parent))
    total = per_emotion * len(EMOTIONS)
    done = 0
    try:
        (staging / "audio").mkdir()
        rows: list[tuple[str, ...]] = []
        for emotion in EMOTIONS:
            for index in range(per_emotion):
                tid = track_id(emotion, index)
                relative = f"audio/{tid}.ogg"
                audio = synthesize(emotion, index, seed, seconds, sample_rate)
                sf.write(staging / relative, audio, sample_rate, format="OGG",
                         subtype="VORBIS")
                rows.append((tid, title(emotion, index, seed), ARTIST, emotion, relative,
                             LICENCE, f"{audio.size / sample_rate:.3f}"))
                done += 1
                if progress is not None:
                    progress(done, total)
        with (staging / "catalogue.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_HEADER)
            writer.writerows(rows)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a catalogue is meant to be read
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "catalogue.csv"


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Replace out_dir with staging: rename aside, rename in, then delete the old one, so
    out_dir is briefly missing at worst but never half written."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    try:
        staging.rename(out_dir)
    except BaseException:
        old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
