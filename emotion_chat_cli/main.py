"""`emotion-chat`: serve the services, build and export models, and talk to them.

Heavy imports (torch, transformers, optimum, the services themselves) happen only inside the
commands that need them, so `emotion-chat serve` never loads torch. `emotion-chat health`
(the images' HEALTHCHECK, run every few seconds) goes straight to `emotion_chat_cli.health`
without building the rest of the command line, so it loads only grpcio and grpc_health.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from emotion_chat_cli.clients import add_clients
    from emotion_chat_cli.evaluate import add_evaluate
    from emotion_chat_cli.health import add_health
    from emotion_chat_cli.music import add_music
    from emotion_chat_cli.serve import add_serve
    from emotion_chat_cli.tooling import add_tooling

    parser = argparse.ArgumentParser(
        prog="emotion-chat", description="Korean emotion-aware chatbot backend.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_serve(commands)
    add_tooling(commands)
    add_clients(commands)
    add_health(commands)
    add_evaluate(commands)
    add_music(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["health"]:
        from emotion_chat_cli.health import main as health

        return health(arguments[1:])
    args = build_parser().parse_args(arguments)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
