"""Commands that talk to running services or run the stack: `classify`, `chat`, `demo`,
`bench`."""

from __future__ import annotations

import argparse
import sys


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


def _chat(args: argparse.Namespace) -> int:
    from emotion_chat_cli.chat import run_chat

    return run_chat(args)


def _demo(args: argparse.Namespace) -> int:
    from emotion_chat_cli.demo import run_demo

    return run_demo(args)


def _bench(args: argparse.Namespace) -> int:
    from benchmarks.run import run

    return run(args)


def add_clients(commands: argparse._SubParsersAction) -> None:
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

    demo = commands.add_parser(
        "demo", help="the stack on embedded defaults and the chat page (Ctrl-C stops)")
    demo.add_argument("--script", action="store_true",
                      help="run a scripted chat in the terminal instead of serving the page")
    demo.set_defaults(func=_demo)

    bench = commands.add_parser(
        "bench", help="load benchmarks side by side (ours, bare model, Triton, baseline)")
    try:
        from benchmarks.run import add_arguments
    except ImportError as missing:  # an image without the benchmarks
        reason = str(missing)
        bench.set_defaults(func=lambda _: _absent("bench", reason))
        return
    add_arguments(bench)
    bench.set_defaults(func=_bench)


def _absent(command: str, missing: str) -> int:
    print(f"emotion-chat: `{command}` is not installed here ({missing})", file=sys.stderr)
    return 2
