"""Label a dialogue corpus with the emotion classifier and write the generator's training pairs.

    emotion-chat label datasets/dialogues.jsonl --classifier 127.0.0.1:50052 \\
        --out datasets/generator/pairs.tsv [--checkpoint FILE]

The masking-BERT paper had no emotion-annotated dialogues: it ran its classifier over a plain
dialogue corpus, then fine-tuned KoGPT2 on (sentence1, sentence2, emotion) pairs, where
sentence2 answers sentence1 and the emotion is the classifier's label of sentence1. The
generator is thereby taught to reply to a message in the light of its emotion. This module
does the same against the running classifier service.

Corpora are large, so texts go through one ClassifyStream call (bulk priority, batched by
the server with the interactive traffic) rather than many Classify calls: at most `window`
texts are in flight, and the server's own back-pressure holds the sender when its queue is
full. Every answer is appended to a JSON Lines checkpoint as it arrives, so an interrupted
run loses nothing and the next run classifies only what is left. The pairs file is written
to a temporary sibling and renamed, so it is either complete or absent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

from training.tables import rows_of

WINDOW = 256
BATCH = 32
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class LabelError(RuntimeError):
    """The classifier failed (the message names the gRPC status) or answered out of turn."""


@dataclass(frozen=True)
class Utterance:
    dialogue_id: str
    turn: int
    text: str

    @property
    def id(self) -> str:
        """Stable across runs on the same corpus: the checkpoint's key."""
        return f"{self.dialogue_id}#{self.turn}"


@dataclass(frozen=True)
class Labelled:
    id: str
    label: str
    score: float


@dataclass(frozen=True)
class Pair:
    s1: str
    s2: str
    emotion: str
    """The classifier's label of s1."""


def read_dialogues(path: Path, text_column: str = "utterance",
                   dialogue_column: str = "dialogue_id", turn_column: str = "turn"
                   ) -> list[Utterance]:
    """A corpus's utterances (CSV/TSV/XLSX/JSON Lines), sorted by dialogue then turn.

    Raises ValueError with one line for a missing column, an empty text or dialogue id, a
    turn that is no integer, or a (dialogue, turn) given twice.
    """
    rows = rows_of(path)
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [h.strip() for h in rows[0]]
    wanted = {"text": (text_column, "--text-column"),
              "dialogue": (dialogue_column, "--dialogue-column"),
              "turn": (turn_column, "--turn-column")}
    missing = [f"{name!r} ({option})" for name, option in wanted.values() if name not in header]
    if missing:
        raise ValueError(f"{path}: header {header} lacks the column(s) {', '.join(missing)}")
    text_idx, dialogue_idx, turn_idx = (header.index(name) for name, _ in wanted.values())

    def cell(row: list[str], index: int) -> str:
        return row[index].strip() if len(row) > index else ""

    first_row: dict[tuple[str, int], int] = {}
    utterances = []
    for number, row in enumerate(rows[1:], start=1):
        if not any(c.strip() for c in row):
            continue
        text, dialogue, turn_text = (cell(row, text_idx), cell(row, dialogue_idx),
                                     cell(row, turn_idx))
        if not dialogue:
            raise ValueError(f"{path}: row {number} has an empty {dialogue_column!r}")
        if not text:
            raise ValueError(f"{path}: row {number} (dialogue {dialogue!r}) has an empty "
                             f"{text_column!r}")
        try:
            turn = int(turn_text)
        except ValueError:
            raise ValueError(f"{path}: row {number} (dialogue {dialogue!r}) has a "
                             f"{turn_column!r} that is no integer: {turn_text!r}") from None
        key = (dialogue, turn)
        if key in first_row:
            raise ValueError(f"{path}: row {number} repeats dialogue {dialogue!r} turn {turn} "
                             f"(first at row {first_row[key]})")
        first_row[key] = number
        utterances.append(Utterance(dialogue, turn, text))
    if not utterances:
        raise ValueError(f"{path} has no utterances")
    return sorted(utterances, key=lambda u: (u.dialogue_id, u.turn))


def read_checkpoint(path: Path) -> dict[str, Labelled]:
    """Labels saved by earlier runs, by id. A last line cut short by an interruption is
    dropped (and cut from the file, so the next answer starts on a line of its own)."""
    if not path.is_file():
        return {}
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    if raw and not raw.endswith(b"\n"):
        with path.open("r+b") as f:
            f.truncate(len(raw) - len(lines[-1]))
        lines = lines[:-1]
    labels: dict[str, Labelled] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            labelled = Labelled(str(record["id"]), str(record["label"]), float(record["score"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: line {number} is not a label record ({exc}); "
                             "delete the checkpoint to start over") from None
        labels[labelled.id] = labelled
    return labels


class _Checkpoint:
    """Appends each answer as one JSON line, flushed at once."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("a", encoding="utf-8")

    def append(self, labelled: Labelled) -> None:
        self._file.write(json.dumps({"id": labelled.id, "label": labelled.label,
                                     "score": labelled.score},
                                    ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass


def _channel(target: str) -> Any:
    import grpc

    return grpc.aio.insecure_channel(target, [("grpc.max_receive_message_length",
                                               MAX_MESSAGE_BYTES)])


def _stub(channel: Any) -> Any:
    from emotion_chat.v1 import classifier_pb2_grpc

    generated: Any = classifier_pb2_grpc  # generated code, untyped
    return generated.ClassifierServiceStub(channel)


def _failure(target: str, exc: Any) -> LabelError:
    return LabelError(f"classifier {target} failed: {exc.code().name}"
                      f"{': ' + exc.details() if exc.details() else ''}")


async def _stream(stub: Any, items: Sequence[tuple[str, str]], window: int,
                  on_answer: Callable[[str, str, float], None]) -> None:
    """Classify (id, text) items through one ClassifyStream call, never more than `window`
    unanswered; on_answer(id, label, score) runs for each answer, in order."""
    from emotion_chat.v1 import classifier_pb2 as pb

    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    room = asyncio.Semaphore(window)

    async def requests() -> AsyncIterator[Any]:
        for item_id, text in items:
            await room.acquire()
            yield pb.ClassifyStreamRequest(id=item_id, text=text, top_k=1)

    answered = 0
    call = stub.ClassifyStream(requests())
    try:
        async for answer in call:
            if answered >= len(items) or answer.id != items[answered][0]:
                expected = items[answered][0] if answered < len(items) else "none"
                raise LabelError(f"the classifier answered id {answer.id!r} where "
                                 f"{expected!r} was due")
            top = answer.result.scores[0]
            on_answer(answer.id, top.label, top.score)
            answered += 1
            room.release()
    finally:
        call.cancel()
    if answered != len(items):
        raise LabelError(f"the classifier's stream ended after {answered} of {len(items)} "
                         "answers")


async def label(utterances: Iterable[Utterance], target: str, checkpoint: Path,
                progress: bool = True, window: int = WINDOW) -> dict[str, Labelled]:
    """Every utterance's top label, by id: those in the checkpoint as they are, the rest
    classified by the classifier at `target` (HOST:PORT) and appended to the checkpoint as
    each answer arrives. Raises LabelError naming the status when the classifier fails;
    the answers received before stay in the checkpoint."""
    import grpc

    from evaluation.progress import progress as progress_bar

    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    utterances = list(utterances)
    saved = read_checkpoint(checkpoint)
    labels = {u.id: saved[u.id] for u in utterances if u.id in saved}
    todo = [(u.id, u.text) for u in utterances if u.id not in labels]
    if not todo:
        return labels
    store = _Checkpoint(checkpoint)

    def answered(bar: Any) -> Callable[[str, str, float], None]:
        def record(item_id: str, label_: str, score: float) -> None:
            labels[item_id] = Labelled(item_id, label_, round(score, 6))
            store.append(labels[item_id])
            bar.update(1)
        return record

    try:
        async with _channel(target) as channel:
            stub = _stub(channel)
            if progress:
                with progress_bar(len(todo), f"labelling ({len(saved)} in checkpoint)") as bar:
                    await _stream(stub, todo, window, answered(bar))
            else:
                await _stream(stub, todo, window, answered(_NoBar()))
    except grpc.aio.AioRpcError as exc:
        raise _failure(target, exc) from exc
    finally:
        store.close()
    return labels


def pairs(utterances: Iterable[Utterance], labels: Mapping[str, Labelled]) -> list[Pair]:
    """Each dialogue's consecutive utterances as (s1, s2, emotion of s1)."""
    ordered = sorted(utterances, key=lambda u: (u.dialogue_id, u.turn))
    result = []
    for first, second in pairwise(ordered):
        if first.dialogue_id != second.dialogue_id:
            continue
        if first.id not in labels:
            raise ValueError(f"utterance {first.id} has no label")
        result.append(Pair(first.text, second.text, labels[first.id].label))
    return result


def _cell(text: str) -> str:
    return text.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write_pairs(pairs: Iterable[Pair], out: Path) -> int:
    """Write a TSV (`s1`, `s2`, `emotion`) through a temporary sibling renamed at the end;
    returns the rows written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f"{out.name}.tmp")
    rows = 0
    try:
        with staging.open("w", encoding="utf-8", newline="") as f:
            f.write("s1\ts2\temotion\n")
            for pair in pairs:
                f.write(f"{_cell(pair.s1)}\t{_cell(pair.s2)}\t{_cell(pair.emotion)}\n")
                rows += 1
        staging.replace(out)
    finally:
        staging.unlink(missing_ok=True)
    return rows


async def throughput(texts: Sequence[str], target: str, batch: int = BATCH
                     ) -> dict[str, float]:
    """Texts/s of classifying `texts` through ClassifyStream (key `stream`) and through
    Classify calls of `batch` texts one after another (key `classify`, as `evaluate`
    does), on one channel after a warm-up call, side by side in one run."""
    import grpc

    from emotion_chat.v1 import classifier_pb2 as pb

    if not texts:
        raise ValueError("throughput needs at least one text")
    try:
        async with _channel(target) as channel:
            stub = _stub(channel)
            await stub.Classify(pb.ClassifyRequest(texts=list(texts[:batch]), top_k=1))
            started = time.perf_counter()
            await _stream(stub, [(str(i), t) for i, t in enumerate(texts)], WINDOW,
                          lambda *_: None)
            stream_s = time.perf_counter() - started
            started = time.perf_counter()
            for start in range(0, len(texts), batch):
                await stub.Classify(pb.ClassifyRequest(texts=list(texts[start:start + batch]),
                                                       top_k=1))
            classify_s = time.perf_counter() - started
    except grpc.aio.AioRpcError as exc:
        raise _failure(target, exc) from exc
    return {"stream": len(texts) / stream_s, "classify": len(texts) / classify_s}


def main(args: argparse.Namespace) -> int:
    out = Path(args.out)
    checkpoint = Path(getattr(args, "checkpoint", None) or f"{out}.labels.jsonl")
    try:
        utterances = read_dialogues(Path(args.corpus),
                                    getattr(args, "text_column", None) or "utterance",
                                    getattr(args, "dialogue_column", None) or "dialogue_id",
                                    getattr(args, "turn_column", None) or "turn")
        saved = read_checkpoint(checkpoint)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    dialogues = len({u.dialogue_id for u in utterances})
    before = sum(u.id in saved for u in utterances)
    print(f"{len(utterances)} utterances in {dialogues} dialogues from {args.corpus}; "
          f"{before} labelled in {checkpoint}", flush=True)
    started = time.perf_counter()
    try:
        labels = asyncio.run(label(utterances, args.classifier, checkpoint))
    except LabelError as exc:
        print(f"error: {exc} (the answers so far are kept in {checkpoint})", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    now = len(utterances) - before
    written = write_pairs(pairs(utterances, labels), out)
    rate = f"{now / elapsed:.0f} texts/s" if now and elapsed > 0 else "nothing to classify"
    print(f"labelled {now} now and {before} from the checkpoint ({rate}); "
          f"wrote {written} pairs to {out}")
    return 0
