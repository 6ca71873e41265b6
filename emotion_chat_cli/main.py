"""`emotion-chat`: serve the services, build and export models, and talk to them.

Heavy imports (torch, transformers, optimum, the services themselves) happen only inside the
commands that need them, so `emotion-chat serve` never loads torch.
"""

from __future__ import annotations

import argparse
import sys

from emotion_chat_cli.clients import add_clients
from emotion_chat_cli.evaluate import add_evaluate
from emotion_chat_cli.music import add_music
from emotion_chat_cli.serve import add_serve
from emotion_chat_cli.tooling import add_tooling


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emotion-chat", description="Korean emotion-aware chatbot backend.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_serve(commands)
    add_tooling(commands)
    add_clients(commands)
    add_evaluate(commands)
    add_music(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
