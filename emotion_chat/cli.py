"""`emotion-chat`: serve the services, build and export models, and talk to them.

Heavy imports (torch, transformers, optimum) happen only inside the commands that need them,
so `emotion-chat serve` never loads torch.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emotion_chat.cli_flags import add_settings_flags, settings_from_args

Command = Callable[[argparse.Namespace], int]


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


# -- serve ------------------------------------------------------------------------------

# name → (help, settings class, service class), imported only when that service runs
SERVICES = {
    "classifier": ("batching ONNX emotion classifier (default port 50052)",
                   "classifier_service.settings:ClassifierSettings",
                   "classifier_service.service:ClassifierService"),
    "generator": ("emotion-conditioned reply generator (default port 50053)",
                  "generator_service.settings:GeneratorSettings",
                  "generator_service.service:GeneratorService"),
    "orchestrator": ("chat orchestrator: state, policy, chaining (default port 50051)",
                     "orchestrator.settings:OrchestratorSettings",
                     "orchestrator.service:OrchestratorService"),
}


def _load(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def _serve(args: argparse.Namespace) -> int:
    from emotion_chat.serving import ServiceRunner, run_until_signal

    _, settings_path, service_path = SERVICES[args.service]
    settings = settings_from_args(_load(settings_path), args)
    _configure_logging(settings.log_level)
    runner = ServiceRunner(_load(service_path)(settings), settings)
    asyncio.run(run_until_signal(runner))
    return 0


def _add_serve(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run a service (gRPC + /metrics)")
    services = serve.add_subparsers(dest="service", required=True, metavar="SERVICE")
    for name, (help_text, settings_path, _) in SERVICES.items():
        parser = services.add_parser(name, help=help_text)
        add_settings_flags(parser, _load(settings_path))
        parser.set_defaults(func=_serve)
    everything = services.add_parser(
        "all", help="the whole stack on embedded defaults, one process per service")
    everything.add_argument("--host", default="127.0.0.1", help="address of every service")
    everything.add_argument("--free-ports", action="store_true",
                            help="let every service pick a free port instead of 50051-50053")
    everything.set_defaults(func=_serve_all)


def _serve_all(args: argparse.Namespace) -> int:
    from orchestrator.stack import serve_all

    return serve_all(args)


# -- model tooling ----------------------------------------------------------------------

def _export(args: argparse.Namespace) -> int:
    from classifier_service.training.export import export

    export(args.src, args.out_dir, optimize=args.optimize, fp16=args.fp16, int8=args.int8,
           opset=args.opset, model_version=args.model_version)
    print(f"exported to {args.out_dir}; serve with: emotion-chat serve classifier "
          f"--model {args.out_dir}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from classifier_service.training.recipe import train
    from classifier_service.training.trainer import TrainConfig

    config = TrainConfig(max_length=args.max_length, learning_rate=args.lr,
                         batch_size=args.batch_size, max_epochs=args.epochs,
                         patience=args.patience, seed=args.seed, device=args.device)
    train(args.data, args.base, args.out, config, args.text_column, args.label_column)
    return 0


def _demo_model(args: argparse.Namespace) -> int:
    from classifier_service.demo.build import build_once

    build_once(args.out, force=args.force)
    return 0


def _add_tooling(commands: argparse._SubParsersAction) -> None:
    from classifier_service.demo import default_demo_dir

    export = commands.add_parser(
        "export", help="Hugging Face checkpoint (dir or hub id) → ONNX model dir")
    export.add_argument("src", help="local checkpoint dir or hub id (e.g. klue/bert-base)")
    export.add_argument("out_dir", type=Path)
    export.add_argument("--optimize", action="store_true",
                        help="ONNX Runtime transformer optimiser (fused attention etc.)")
    export.add_argument("--fp16", action="store_true", help="fp16 weights (CUDA provider)")
    export.add_argument("--int8", action="store_true", help="int8 dynamic quantisation (CPU)")
    export.add_argument("--opset", type=int, default=None)
    export.add_argument("--model-version", default=None, help="stored in config.json")
    export.set_defaults(func=_export)

    train = commands.add_parser("train", help="fine-tune a BERT-family checkpoint on a table")
    train.add_argument("--data", type=Path, required=True, help="CSV, TSV or XLSX file")
    train.add_argument("--out", type=Path, required=True, help="output checkpoint dir")
    train.add_argument("--base", default="klue/bert-base", help="checkpoint to start from")
    train.add_argument("--text-column", default="sentence")
    train.add_argument("--label-column", default="label")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--lr", type=float, default=2e-5)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--max-length", type=int, default=128)
    train.add_argument("--patience", type=int, default=2,
                       help="epochs without better validation accuracy before stopping")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", default="auto", help="auto, cpu or cuda")
    train.set_defaults(func=_train)

    demo_model = commands.add_parser("demo-model", help="build the embedded demo model")
    demo_model.add_argument("--out", type=Path, default=default_demo_dir())
    demo_model.add_argument("--force", action="store_true", help="rebuild even if present")
    demo_model.set_defaults(func=_demo_model)


# -- clients ----------------------------------------------------------------------------

def _classify(args: argparse.Namespace) -> int:
    import grpc

    from emotion_chat.v1 import classifier_pb2 as pb
    from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc

    with grpc.insecure_channel(args.target) as channel:
        stub = pb_grpc.ClassifierServiceStub(channel)
        if args.info:
            print(stub.GetModelInfo(pb.GetModelInfoRequest(), timeout=args.timeout))
            return 0
        if not args.texts:
            print("give texts to classify, or --info", file=sys.stderr)
            return 2
        response = stub.Classify(pb.ClassifyRequest(texts=args.texts, top_k=args.top_k),
                                 timeout=args.timeout)
    for text, result in zip(args.texts, response.results, strict=True):
        scores = ", ".join(f"{s.label} {s.score:.2f}" for s in result.scores)
        print(f"{text}\n  → {scores}{' (truncated)' if result.truncated else ''}")
    t = response.timings
    print(f"[{response.model_name} {response.model_version}] tokenize {t.tokenize_ms:.2f} ms, "
          f"queue {t.queue_ms:.2f} ms, inference {t.inference_ms:.2f} ms, "
          f"total {t.total_ms:.2f} ms")
    return 0


def _add_clients(commands: argparse._SubParsersAction) -> None:
    classify = commands.add_parser("classify", help="classify texts with a running classifier")
    classify.add_argument("texts", nargs="*")
    classify.add_argument("--target", default="127.0.0.1:50052")
    classify.add_argument("--top-k", type=int, default=3)
    classify.add_argument("--timeout", type=float, default=10.0)
    classify.add_argument("--info", action="store_true", help="print the model info")
    classify.set_defaults(func=_classify)

    chat = commands.add_parser("chat", help="chat with the orchestrator in the terminal")
    chat.add_argument("--target", default="127.0.0.1:50051")
    chat.add_argument("--persona", default="", help="persona id or name (e.g. 기쁨이)")
    chat.add_argument("--conversation", default="", help="conversation id (default: new)")
    chat.add_argument("--token", default="", help="bearer token, if the server wants one")
    chat.add_argument("--timeout", type=float, default=60.0)
    chat.set_defaults(func=_chat)

    bench = commands.add_parser(
        "bench", help="load benchmarks side by side (ours, bare model, Triton, baseline)")
    from benchmarks.run import add_arguments

    add_arguments(bench)
    bench.set_defaults(func=_bench)

    demo = commands.add_parser("demo", help="start the stack on embedded defaults and chat")
    demo.set_defaults(func=_demo)


def _bench(args: argparse.Namespace) -> int:
    from benchmarks.run import run

    return run(args)


def _chat(args: argparse.Namespace) -> int:
    from orchestrator.chat_cli import run_chat

    return run_chat(args)


def _demo(args: argparse.Namespace) -> int:
    from emotion_chat.demo import run_demo

    return run_demo()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emotion-chat", description="Korean emotion-aware chatbot backend (gRPC).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_serve(commands)
    _add_tooling(commands)
    _add_clients(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
