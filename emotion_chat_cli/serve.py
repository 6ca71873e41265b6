"""`emotion-chat serve <service>`: one table of the services; each is imported only when it
runs (and only its settings when the parser is built), so an image with one service works."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
from typing import Any

from emotion_chat_cli.flags import add_settings_flags, settings_from_args

# name → (help, settings class, service class)
SERVICES = {
    "classifier": ("batching ONNX emotion classifier (default port 50052)",
                   "classifier_service.settings:ClassifierSettings",
                   "classifier_service.service:ClassifierService"),
    "generator": ("emotion-conditioned reply generator (default port 50053)",
                  "generator_service.settings:GeneratorSettings",
                  "generator_service.service:GeneratorService"),
    "recommender": ("songs for a mood and songs like a song (default port 50054)",
                    "recommender_service.settings:RecommenderSettings",
                    "recommender_service.service:RecommenderService"),
    "orchestrator": ("chat orchestrator: state, policy, chaining; gRPC :50051 and HTTP :8080",
                     "orchestrator.settings:OrchestratorSettings",
                     "orchestrator.service:OrchestratorService"),
}


def load(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _serve(args: argparse.Namespace) -> int:
    from emotion_chat.serving import ServiceRunner, run_until_signal

    _, settings_path, service_path = SERVICES[args.service]
    settings = settings_from_args(load(settings_path), args)
    configure_logging(settings.log_level)
    runner = ServiceRunner(load(service_path)(settings), settings)
    asyncio.run(run_until_signal(runner))
    return 0


def _not_installed(args: argparse.Namespace) -> int:
    print(f"emotion-chat: the {args.service} service is not installed here "
          f"({args.missing})", flush=True)
    return 2


def add_serve(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run a service (gRPC + /metrics)")
    services = serve.add_subparsers(dest="service", required=True, metavar="SERVICE")
    for name, (help_text, settings_path, _) in SERVICES.items():
        parser = services.add_parser(name, help=help_text)
        try:
            settings_cls = load(settings_path)
        except ImportError as missing:
            parser.set_defaults(func=_not_installed, missing=str(missing))
            continue
        add_settings_flags(parser, settings_cls)
        parser.set_defaults(func=_serve)
    everything = services.add_parser(
        "all", help="the whole stack on embedded defaults, one process per service")
    everything.add_argument("--host", default="127.0.0.1", help="address of every service")
    everything.add_argument("--free-ports", action="store_true",
                            help="let every service pick a free port instead of the defaults")
    everything.set_defaults(func=_serve_all)


def _serve_all(args: argparse.Namespace) -> int:
    from emotion_chat_cli.stack import serve_all

    return serve_all(args)
