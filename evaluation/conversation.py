"""Whole conversations through a running orchestrator: the masking-BERT paper's emotion
consistency (classify the reply, compare its emotion with the message's), crisis recall and
false positives, reply kinds, and a review sheet for a human judgement of fit.

    emotion-chat evaluate conversation --data datasets/conversation/consistency.tsv \\
        --target 127.0.0.1:50051 --classifier 127.0.0.1:50052 [--out DIR]

`--target` is the orchestrator's gRPC address or its HTTP URL (http://host:8080). The
table needs `text`; optional columns: `emotion` (the gold emotion), `situation`, `crisis`
(yes/no), `conversation` (rows with the same value are one conversation, in order;
otherwise every row starts a fresh one) and `persona`.
"""

from __future__ import annotations

import asyncio
import csv
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emotion_chat.taxonomy import CORE_LABELS, core_emotion
from evaluation.data import TableError, read_tsv
from evaluation.metrics import Detection, detection
from evaluation.progress import progress


@dataclass(frozen=True)
class Turn:
    text: str
    gold: str
    detected: str
    score: float
    situation: str
    kind: str
    reply: str
    degraded: tuple[str, ...]
    reply_emotion: str = ""
    crisis_gold: bool | None = None


@dataclass
class ConversationReport:
    turns: list[Turn] = field(default_factory=list)

    def consistency(self, against: str = "detected"
                    ) -> tuple[float, int, dict[str, tuple[int, int]]]:
        """(rate, replies judged, per emotion (consistent, judged)) over generated replies:
        the reply's core emotion equals the message's (`detected` by the bot, or `gold`)."""
        per: dict[str, list[int]] = {}
        for t in self.turns:
            expected = t.detected if against == "detected" else t.gold
            if t.kind != "generated" or not expected or not t.reply_emotion:
                continue
            core = core_emotion(expected)
            counts = per.setdefault(core, [0, 0])
            counts[0] += core_emotion(t.reply_emotion) == core
            counts[1] += 1
        judged = sum(n for _, n in per.values())
        rate = sum(c for c, _ in per.values()) / judged if judged else 0.0
        return rate, judged, {e: (c, n) for e, (c, n) in per.items()}

    def crisis(self) -> Detection | None:
        labelled = [t for t in self.turns if t.crisis_gold is not None]
        if not labelled:
            return None
        return detection([bool(t.crisis_gold) for t in labelled],
                         [t.kind == "crisis" for t in labelled])

    def kinds(self) -> Counter[str]:
        return Counter(t.kind for t in self.turns)


class _Grpc:
    def __init__(self, target: str) -> None:
        import grpc

        from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc

        self._channel = grpc.aio.insecure_channel(target)
        self._stub = pb_grpc.ChatServiceStub(self._channel)

    async def turn(self, conversation: str, text: str, persona: str) -> dict[str, Any]:
        from emotion_chat.v1 import orchestrator_pb2 as pb

        r = await self._stub.Chat(pb.ChatRequest(conversation_id=conversation, text=text,
                                                 persona=persona), timeout=60)
        kind = pb.ReplyKind.Name(r.kind).removeprefix("REPLY_KIND_").lower()
        return {"reply": r.reply, "kind": kind, "situation": r.situation,
                "emotion": {"label": r.emotion.label, "score": r.emotion.score},
                "degraded": list(r.degraded), "reply_emotion": r.reply_emotion}

    async def close(self) -> None:
        await self._channel.close()


class _Http:
    def __init__(self, base_url: str) -> None:
        import httpx

        self._http = httpx.AsyncClient(base_url=base_url, timeout=60)

    async def turn(self, conversation: str, text: str, persona: str) -> dict[str, Any]:
        response = await self._http.post(f"/v1/conversations/{conversation}/messages",
                                         json={"text": text, "persona": persona})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def close(self) -> None:
        await self._http.aclose()


async def _run(rows: list[dict[str, str]], target: str, classifier: str,
               persona: str) -> ConversationReport:
    from orchestrator.adapters import GrpcClassifier, open_channel

    client: _Grpc | _Http = _Http(target) if target.startswith("http") else _Grpc(target)
    channel = open_channel(classifier, [GrpcClassifier.SERVICE], 2, False, None)
    judge = GrpcClassifier(channel, 60.0)
    run = uuid.uuid4().hex[:8]
    report = ConversationReport()
    try:
        with progress(len(rows), "turns") as bar:
            for i, row in enumerate(rows):
                group = row.get("conversation") or str(i)
                result = await client.turn(f"eval-{run}-{group}", row["text"],
                                           row.get("persona") or persona)
                reply_emotion = result.get("reply_emotion", "")
                if not reply_emotion and result["kind"] == "generated":
                    reply_emotion = (await judge.classify([result["reply"]])).results[0].label
                crisis = row.get("crisis", "").lower()
                report.turns.append(Turn(
                    row["text"], row.get("emotion", ""), result["emotion"]["label"],
                    float(result["emotion"]["score"]), result.get("situation", ""),
                    result["kind"], result["reply"], tuple(result.get("degraded", ())),
                    reply_emotion, {"yes": True, "no": False}.get(crisis)))
                bar.update(1)
    finally:
        await client.close()
        await channel.close()
    return report


def evaluate_conversation(path: Path, target: str, classifier: str, persona: str = ""
                          ) -> ConversationReport:
    table = read_tsv(path, ("text",))
    if "emotion" in table.columns:
        unknown = sorted({e for e in table.column("emotion") if e} - set(CORE_LABELS))
        if unknown:
            raise TableError(f"{path}: unknown emotion(s) {unknown}; use {CORE_LABELS}")
    return asyncio.run(_run(list(table.rows), target, classifier, persona))


REVIEW_COLUMNS = ("text", "gold_emotion", "detected", "situation", "kind", "reply",
                  "reply_emotion", "consistent", "degraded", "fit", "note")


def write_review(report: ConversationReport, path: Path) -> Path:
    """One row per turn; `fit` and `note` are for the human reviewer (fit / off-topic /
    hurtful)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(REVIEW_COLUMNS)
        for t in report.turns:
            consistent = (core_emotion(t.reply_emotion) == core_emotion(t.detected)
                          if t.reply_emotion and t.detected else "")
            writer.writerow([t.text, t.gold, f"{t.detected} {t.score:.2f}".strip(),
                             t.situation, t.kind, t.reply, t.reply_emotion, consistent,
                             ",".join(t.degraded), "", ""])
    return path


def render(report: ConversationReport, seconds: float) -> str:
    rate, judged, per = report.consistency()
    lines = [f"{len(report.turns)} turns in {seconds:.0f} s",
             f"emotion consistency (reply vs the detected emotion, generated replies): "
             f"{rate:.3f} over {judged}"]
    if any(t.gold for t in report.turns):
        gold_rate, gold_judged, _ = report.consistency("gold")
        lines.append(f"emotion consistency against the table's emotion: {gold_rate:.3f} "
                     f"over {gold_judged}")
    lines += ["", "| emotion | consistent | replies |", "|---|---|---|"]
    lines += [f"| {e} | {c / n:.3f} | {n} |" for e, (c, n) in sorted(per.items())]
    crisis = report.crisis()
    if crisis is not None:
        risky = crisis.true_positives + crisis.false_negatives
        safe = crisis.false_positives + crisis.true_negatives
        lines += ["", f"crisis: recall {crisis.recall:.3f} ({crisis.true_positives}/{risky}), "
                      f"false positives {crisis.false_positive_rate:.3f} "
                      f"({crisis.false_positives}/{safe})"]
    kinds = report.kinds()
    lines += ["", "reply kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common())]
    return "\n".join(lines)


def timed(path: Path, target: str, classifier: str, persona: str = ""
          ) -> tuple[ConversationReport, float]:
    started = time.monotonic()
    report = evaluate_conversation(path, target, classifier, persona)
    return report, time.monotonic() - started
