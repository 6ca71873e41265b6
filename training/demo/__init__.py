"""The embedded demo models' data and recipes: the 7-emotion BERT (build.py, distill.py) and
the Inside Out 4-emotion multi-label BERT (inside_out.py), trained from scratch on tables
written for this project."""

from __future__ import annotations

from pathlib import Path

from emotion_chat.taxonomy import CORE_LABELS

HERE = Path(__file__).parent
DATASET = HERE / "emotions_ko.tsv"
"""Everyday Korean sentences for the seven emotions of the masking-BERT paper."""
EVERYDAY = HERE / "emotions_ko_everyday.tsv"
"""Harder everyday chat messages (illness, grief, money, small talk, chat spelling), written
later to cover what the first set lacked."""
DATASETS = (DATASET, EVERYDAY)
LABELS = CORE_LABELS
