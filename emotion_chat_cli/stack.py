"""`emotion-chat serve all`: the whole stack on one machine, one process per service.

The classifier and the generator start first (their own processes, so the model and the
event loops use separate cores), then the orchestrator pointed at them (gRPC and its HTTP
front door). Ports default to the standard ones; `--free-ports` lets every service pick a
free port (tests, demos). SIGTERM or
SIGINT stops the orchestrator first, then the models.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading

from emotion_chat_cli.launch import ServiceExitedError, ServiceProcess, start_service


def build_demo_model_in_foreground() -> None:
    """Build the demo model before the classifier starts, showing its progress, unless a
    model is configured (CLASSIFIER_MODEL) or already built."""
    from classifier_service.demo import default_demo_dir, is_built

    if os.environ.get("CLASSIFIER_MODEL") or is_built(default_demo_dir()):
        return
    print("building the embedded demo model (once, about a minute)...", flush=True)
    subprocess.run([sys.executable, "-m", "training.demo.build", "--quiet"],
                   check=True)


def build_music_index_in_foreground() -> None:
    """Synthesise and index the embedded music catalogue before the recommender starts,
    unless an index is configured (RECOMMENDER_INDEX_DIR) or already built."""
    from music.build import default_dirs, is_built

    if os.environ.get("RECOMMENDER_INDEX_DIR") or is_built(default_dirs()[1]):
        return
    print("building the embedded music catalogue and its index (once, about a minute)...",
          flush=True)
    subprocess.run([sys.executable, "-m", "music.build", "--default", "--quiet"], check=True)


def start_stack(host: str = "127.0.0.1", free_ports: bool = False,
                extra: dict[str, list[str]] | None = None, echo: bool = True
                ) -> list[ServiceProcess]:
    """Start classifier, generator, recommender and orchestrator; return them, orchestrator
    last."""
    extra = extra or {}
    build_demo_model_in_foreground()
    build_music_index_in_foreground()

    def args(service: str) -> list[str]:
        ports = ["--port", "0", "--metrics-port", "0"] if free_ports else []
        if service == "orchestrator":
            ports += ["--http-host", host] + (["--http-port", "0"] if free_ports else [])
        return ["--host", host, *ports, *extra.get(service, [])]

    started: list[ServiceProcess] = []
    try:
        classifier = start_service("classifier", args("classifier"), echo=echo)
        started.append(classifier)
        generator = start_service("generator", args("generator"), echo=echo)
        started.append(generator)
        recommender = start_service("recommender", args("recommender"), echo=echo)
        started.append(recommender)
        orchestrator = start_service("orchestrator", [
            *args("orchestrator"), "--classifier-target", classifier.target,
            "--generator-target", generator.target,
            "--recommender-target", recommender.target], echo=echo)
        started.append(orchestrator)
    except BaseException:
        stop_stack(started)
        raise
    return started


def stop_stack(processes: list[ServiceProcess]) -> None:
    for process in reversed(processes):
        process.stop()


def serve_until_signal(processes: list[ServiceProcess], stop: threading.Event) -> int:
    """Keep the stack up until `stop` (SIGINT/SIGTERM) or a service dies; then stop it all."""
    try:
        while not stop.wait(1.0):
            dead = [p.name for p in processes if p.process.poll() is not None]
            if dead:
                print(f"stopping: {', '.join(dead)} exited", flush=True)
                return 1
    finally:
        stop_stack(processes)
    return 0


def stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def serve_all(args: argparse.Namespace) -> int:
    stop = stop_on_signals()
    try:
        processes = start_stack(args.host, args.free_ports)
    except ServiceExitedError as exited:
        if exited.returncode != 2:  # a crash, not the user's settings: keep the details
            raise
        own = f"emotion-chat serve {exited.name}: "
        problems = [line[len(own):] for line in exited.output if line.startswith(own)]
        print(f"emotion-chat serve all: {exited.name} did not start: "
              f"{'; '.join(problems or exited.output[-1:])}", file=sys.stderr, flush=True)
        return 2
    orchestrator = processes[-1]
    sides = "".join(f" {name}_port={port}" for name, port in orchestrator.side_ports.items())
    print(f"READY all port={orchestrator.port} metrics_port={orchestrator.metrics_port}{sides}",
          flush=True)
    for p in processes:
        print(f"  {p.name}: {p.target} (metrics :{p.metrics_port})", flush=True)
    if "http" in orchestrator.side_ports:
        print(f"  chat page: {orchestrator.http_url}/ · HTTP API: {orchestrator.http_url}/v1 "
              f"(docs {orchestrator.http_url}/docs)", flush=True)
    return serve_until_signal(processes, stop)
