"""`emotion-chat evaluate classifier|conversation|crisis`: quality measured on labelled
tables (see evaluation/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _out(args: argparse.Namespace) -> Path:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    return out


def _classifier(args: argparse.Namespace) -> int:
    from evaluation.classifier import confusion_png, evaluate_classifier, render

    result = evaluate_classifier(args.data, args.target)
    text = render(result)
    print(text)
    if args.out is not None:
        out = _out(args)
        (out / "classifier.md").write_text(text + "\n", encoding="utf-8")
        print(f"wrote {confusion_png(result, out / 'confusion.png')}")
    return 0


def _conversation(args: argparse.Namespace) -> int:
    from evaluation.conversation import render, timed, write_review

    report, seconds = timed(args.data, args.target, args.classifier, args.persona)
    text = render(report, seconds)
    print(text)
    if args.out is not None:
        out = _out(args)
        (out / "conversation.md").write_text(text + "\n", encoding="utf-8")
        print(f"wrote {write_review(report, out / 'review.tsv')}")
    return 0


def _crisis(args: argparse.Namespace) -> int:
    from evaluation.crisis import evaluate_crisis, render
    from orchestrator.core.safety import Sensitivity

    text = render(evaluate_crisis(args.data, args.classifier, Sensitivity(args.sensitivity)))
    print(text)
    if args.out is not None:
        (_out(args) / "crisis.md").write_text(text + "\n", encoding="utf-8")
    return 0


def run(args: argparse.Namespace) -> int:
    from evaluation.data import TableError

    try:
        result: int = args.evaluate(args)
    except TableError as exc:
        print(f"emotion-chat evaluate: {exc}", file=sys.stderr)
        return 2
    return result


def add_evaluate(commands: argparse._SubParsersAction) -> None:
    evaluate = commands.add_parser("evaluate", help="measure quality on labelled tables")
    kinds = evaluate.add_subparsers(dest="what", required=True, metavar="WHAT")

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--data", type=Path, required=True, help="TSV table")
        parser.add_argument("--out", type=Path, default=None, help="write reports here")
        parser.set_defaults(func=run)

    classifier = kinds.add_parser("classifier", help="accuracy, macro F1, confusion matrix")
    common(classifier)
    classifier.add_argument("--target", default="127.0.0.1:50052", help="the classifier")
    classifier.set_defaults(evaluate=_classifier)

    conversation = kinds.add_parser(
        "conversation", help="emotion consistency, crisis recall, reply kinds, review sheet")
    common(conversation)
    conversation.add_argument("--target", default="127.0.0.1:50051",
                              help="the orchestrator: HOST:PORT (gRPC) or http://HOST:PORT")
    conversation.add_argument("--classifier", default="127.0.0.1:50052",
                              help="the classifier that judges the replies' emotion")
    conversation.add_argument("--persona", default="", help="persona of every conversation")
    conversation.set_defaults(evaluate=_conversation)

    crisis = kinds.add_parser("crisis", help="the crisis detector's recall and false positives")
    common(crisis)
    crisis.add_argument("--classifier", default=None, metavar="HOST:PORT",
                        help="confirm POSSIBLE risks with this classifier, as in the chat")
    crisis.add_argument("--sensitivity", default="balanced",
                        choices=("precise", "balanced", "sensitive"),
                        help="the detector's operating point (ORCHESTRATOR_CRISIS_SENSITIVITY)")
    crisis.set_defaults(evaluate=_crisis)
