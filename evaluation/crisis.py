"""The crisis detector on a labelled table (`text`, `label` risk|none, optional `kind`):
recall and false-positive rate, and every miss and false alarm.

    emotion-chat evaluate crisis --data datasets/crisis/heldout2.tsv [--classifier HOST:PORT] \
        [--sensitivity precise|balanced|sensitive]

POSSIBLE risks are confirmed by the classifier's emotion as in the chat (with
--classifier), or counted as risk without one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from emotion_chat.language.morphs import analyse
from evaluation.data import TableError, read_tsv
from evaluation.metrics import Detection, detection
from orchestrator.core.safety import Risk, RiskAssessment, Sensitivity, assess, confirmed
from orchestrator.core.types import DetectedEmotion

LABELS = ("risk", "none")


@dataclass(frozen=True)
class CrisisRow:
    text: str
    risk: bool
    kind: str
    assessment: RiskAssessment
    emotion: DetectedEmotion
    flagged: bool


@dataclass(frozen=True)
class CrisisResult:
    detection: Detection
    rows: tuple[CrisisRow, ...]

    @property
    def misses(self) -> list[CrisisRow]:
        return [r for r in self.rows if r.risk and not r.flagged]

    @property
    def false_alarms(self) -> list[CrisisRow]:
        return [r for r in self.rows if r.flagged and not r.risk]


async def _emotions(texts: list[str], target: str | None) -> list[DetectedEmotion]:
    if target is None:
        return [DetectedEmotion() for _ in texts]
    from orchestrator.adapters import GrpcClassifier, open_channel

    channel = open_channel(target, [GrpcClassifier.SERVICE], 2, False, None)
    classifier = GrpcClassifier(channel, 30.0)
    found: list[DetectedEmotion] = []
    try:
        for start in range(0, len(texts), 32):
            batch = (await classifier.classify(texts[start:start + 32])).results
            found += [DetectedEmotion(c.label, c.score, c.top) for c in batch]
    finally:
        await channel.close()
    return found


def evaluate_crisis(path: Path, classifier: str | None = None,
                    sensitivity: Sensitivity = Sensitivity.BALANCED) -> CrisisResult:
    table = read_tsv(path, ("text", "label"))
    unknown = sorted(set(table.column("label")) - set(LABELS))
    if unknown:
        raise TableError(f"{path}: unknown label(s) {unknown}; use risk or none")
    texts = table.column("text")
    emotions = asyncio.run(_emotions(texts, classifier))
    rows = []
    for row, emotion in zip(table.rows, emotions, strict=True):
        assessment = assess(analyse(row["text"]), sensitivity)
        flagged = (confirmed(assessment, emotion) if classifier
                   else assessment.risk is not Risk.NONE)
        rows.append(CrisisRow(row["text"], row["label"] == "risk", row.get("kind", ""),
                              assessment, emotion, flagged))
    return CrisisResult(detection([r.risk for r in rows], [r.flagged for r in rows]),
                        tuple(rows))


def _emotion(emotion: DetectedEmotion) -> str:
    return f"; {emotion.label} {emotion.score:.2f}" if emotion.known else ""


def render(result: CrisisResult) -> str:
    d = result.detection
    lines = [f"risk messages {d.true_positives + d.false_negatives}, others "
             f"{d.false_positives + d.true_negatives}",
             f"recall {d.recall:.3f} ({d.true_positives}/{d.true_positives + d.false_negatives})"
             f", false-positive rate {d.false_positive_rate:.3f} "
             f"({d.false_positives}/{d.false_positives + d.true_negatives}), precision "
             f"{d.precision:.3f}"]
    for title, rows in (("missed", result.misses), ("false alarms", result.false_alarms)):
        if rows:
            lines.append(f"{title}:")
            lines += [f"  [{r.kind}] {r.text}  ({r.assessment.risk.value} {r.assessment.cue}"
                      f"{_emotion(r.emotion)})" for r in rows]
    return "\n".join(lines)
