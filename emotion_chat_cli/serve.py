"""`emotion-chat serve <service>`: one table of the services; each is imported only when it
runs (and only its settings when the parser is built), so an image with one service works."""

from __future__ import annotations

import argparse
import asyncio
import errno
import importlib
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from emotion_chat.settings import describe_invalid_settings, setting_name
from emotion_chat_cli.flags import add_settings_flags, given_flags, settings_from_args

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


def configure_logging(level: str, log_format: str = "text", service: str | None = None
                      ) -> None:
    """Text lines, or JSON lines with the turn's ids (emotion_chat.serving.logs)."""
    from emotion_chat.serving.logs import configure_logging as configure

    configure(level, "json" if log_format == "json" else "text", service)


def _serve(args: argparse.Namespace) -> int:
    _, settings_path, service_path = SERVICES[args.service]
    settings_cls = load(settings_path)
    prog = f"emotion-chat serve {args.service}"
    try:
        settings = settings_from_args(settings_cls, args)
    except ValidationError as invalid:
        for line in describe_invalid_settings(invalid, settings_cls, given_flags(args)):
            print(f"{prog}: {line}", file=sys.stderr, flush=True)
        return 2
    from emotion_chat.serving import ServiceRunner, run_until_signal
    from emotion_chat.serving.tracing import setup_tracing

    configure_logging(settings.log_level, settings.log_format, args.service)
    setup_tracing(args.service, settings.otlp_endpoint, settings.trace_sample_ratio)
    try:
        runner = ServiceRunner(load(service_path)(settings), settings)
        asyncio.run(run_until_signal(runner))
    except Exception as error:
        problem = startup_problem(error, settings, given_flags(args))
        if problem is None:
            raise
        print(f"{prog}: {problem}", file=sys.stderr, flush=True)
        return 2
    return 0


_BIND_FAILURES = ("Failed to bind to address", "could not bind", "cannot serve HTTP on")


def startup_problem(error: BaseException, settings: BaseSettings,
                    given: set[str]) -> str | None:
    """One line for a start-up failure that is the user's to fix (a missing file, a port in
    use, a device setting the machine cannot honour: an error with `unusable_setting`), or
    None for anything else (a bug: let its traceback show)."""
    seen: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and cause not in seen:
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    for exc in seen:
        unusable = getattr(exc, "unusable_setting", None)
        if isinstance(unusable, str) and unusable in type(settings).model_fields:
            # A setting that is valid but cannot be honoured here (e.g. device=cuda without
            # a usable CUDA provider): the error names it, the message says why.
            name = setting_name(type(settings), unusable, given)
            return f"invalid setting {name}={getattr(settings, unusable)!r}: {exc}"
        if isinstance(exc, RuntimeError) and str(exc).startswith(_BIND_FAILURES):
            message = str(exc).split(";")[0]
            if message.startswith("Failed to bind"):  # grpc's wording
                address = message.rsplit(" ", 1)[-1]
                return f"cannot serve gRPC on {address}: address in use or not available"
            return message
        if isinstance(exc, OSError) and exc.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
            reason = (exc.strerror or str(exc)).lower()
            return (f"cannot serve metrics on {getattr(settings, 'metrics_host', '?')}:"
                    f"{getattr(settings, 'metrics_port', '?')}: {reason}")
        if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
            reason = exc.strerror.lower()
            for field in type(settings).model_fields:
                value = getattr(settings, field)
                if isinstance(value, Path) and value == Path(exc.filename):
                    name = setting_name(type(settings), field, given)
                    return f"invalid setting {name}={str(value)!r}: {reason}"
            return f"{reason}: {exc.filename}"
        if isinstance(exc, FileNotFoundError):
            return str(exc)
    return None


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
