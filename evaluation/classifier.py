"""The classifier on a labelled table (`text`, `label`): accuracy, macro F1, a per-class
table and a confusion-matrix PNG, through a running classifier.

    emotion-chat evaluate classifier --data datasets/classifier/realistic_heldout.tsv \\
        --target 127.0.0.1:50052 [--out DIR]

When the table's labels are the seven core emotions and the model's are another set (the
58 sub-emotions), predictions are mapped to their core emotion first.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from emotion_chat.taxonomy import CORE_LABELS, core_emotion
from evaluation.data import TableError, read_tsv
from evaluation.metrics import Report, classification_report
from evaluation.progress import progress

BATCH = 32


@dataclass(frozen=True)
class ClassifierEvaluation:
    report: Report
    labels: tuple[str, ...]
    rows: tuple[tuple[str, str, str], ...]
    """(text, gold, predicted)."""


async def predict(texts: list[str], target: str) -> list[str]:
    from orchestrator.adapters import GrpcClassifier, open_channel

    channel = open_channel(target, [GrpcClassifier.SERVICE], 2, False, None)
    classifier = GrpcClassifier(channel, 60.0)
    labels: list[str] = []
    try:
        with progress(len(texts), "classifying") as bar:
            for start in range(0, len(texts), BATCH):
                batch = texts[start:start + BATCH]
                labels += [c.label for c in (await classifier.classify(batch)).results]
                bar.update(len(batch))
    finally:
        await channel.close()
    return labels


def evaluate_classifier(path: Path, target: str) -> ClassifierEvaluation:
    table = read_tsv(path, ("text", "label"))
    texts, gold = table.column("text"), table.column("label")
    predicted = asyncio.run(predict(texts, target))
    core = set(gold) <= set(CORE_LABELS)
    if core:
        predicted = [core_emotion(label) for label in predicted]
        labels = tuple(CORE_LABELS)
    else:
        labels = tuple(dict.fromkeys([*gold, *predicted]))
    return ClassifierEvaluation(classification_report(gold, predicted, labels), labels,
                                tuple(zip(texts, gold, predicted, strict=True)))


def render(result: ClassifierEvaluation) -> str:
    r = result.report
    lines = [f"accuracy {r.accuracy:.3f}, macro F1 {r.macro_f1:.3f} on {len(result.rows)} texts",
             "", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {c.label} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} | {c.support} |"
              for c in r.classes]
    return "\n".join(lines)


FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def korean_font() -> str | None:
    """A font family with Hangul: a known one, or one installed after matplotlib cached its
    font list (Debian's fonts-noto-cjk, installed with the browser)."""
    from matplotlib import font_manager

    for name in ("Noto Sans CJK KR", "Noto Sans CJK JP", "NanumGothic"):
        if any(f.name == name for f in font_manager.fontManager.ttflist):
            return name
    for path in FONT_FILES:
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            return str(font_manager.FontProperties(fname=path).get_name())
    return None


def confusion_png(result: ClassifierEvaluation, path: Path) -> Path:
    try:
        import matplotlib
    except ImportError as exc:
        raise TableError("the confusion matrix needs matplotlib: "
                         "pip install 'emotion-chat[evaluate]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = korean_font()
    if font:
        plt.rcParams["font.family"] = font
    labels = result.labels
    matrix = [[result.report.confusion[g][p] for p in labels] for g in labels]
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(labels), 0.8 + 0.6 * len(labels)))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set(xlabel="predicted", ylabel="true",
           title=f"accuracy {result.report.accuracy:.3f}")
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center",
                    color="white" if value > top / 2 else "black", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
