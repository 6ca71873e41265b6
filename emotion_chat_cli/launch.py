"""Start `emotion-chat serve <service>` as a child process and wait until it is SERVING.

Used by `emotion-chat demo`, `serve all`, the benchmarks and the black-box tests: the child
prints `READY <name> port=<p> metrics_port=<m>` once its health is SERVING.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_READY = re.compile(r"^READY (\S+) port=(\d+) metrics_port=(\d+)(.*)$")
_SIDE_PORT = re.compile(r"(\w+)_port=(\d+)")


class ServiceExitedError(RuntimeError):
    """The service ended before it was ready; `output` holds what it printed (a service
    that exits 2 printed one line per problem, e.g. each invalid setting)."""

    def __init__(self, name: str, returncode: int | None, output: list[str]) -> None:
        super().__init__(f"{name} exited with {returncode} before it was ready:\n"
                         + "\n".join(output[-40:]))
        self.name = name
        self.returncode = returncode
        self.output = output


@dataclass
class ServiceProcess:
    name: str
    process: subprocess.Popen[str]
    port: int = 0
    metrics_port: int = 0
    side_ports: dict[str, int] = field(default_factory=dict)
    """Ports of side servers from the READY line (e.g. {"http": 8080})."""
    output: deque[str] = field(default_factory=lambda: deque(maxlen=400))

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        """The HTTP front door's base URL (services that serve one)."""
        return f"http://127.0.0.1:{self.side_ports['http']}"

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful drain), then SIGKILL if it does not exit in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(list(self.output)[-lines:])


def start_service(service: str, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
                  timeout: float = 300.0, echo: bool = False) -> ServiceProcess:
    """Run `python -m emotion_chat_cli serve <service> ARGS` and wait for its READY line."""
    command = [sys.executable, "-m", "emotion_chat_cli", "serve", service, *args]
    return start_process(service, command, env, timeout, echo)


def start_process(name: str, command: Sequence[str], env: Mapping[str, str] | None = None,
                  timeout: float = 300.0, echo: bool = False) -> ServiceProcess:
    """Run any server that prints the READY line (benchmark peers too) and wait for it."""
    service = name
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=child_env)
    handle = ServiceProcess(service, process)
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            handle.output.append(line)
            if echo:
                print(f"[{service}] {line}", file=sys.stderr, flush=True)
            match = _READY.match(line)
            if match and not ready.is_set():
                handle.port, handle.metrics_port = int(match[2]), int(match[3])
                handle.side_ports = {name: int(port)
                                     for name, port in _SIDE_PORT.findall(match[4])}
                ready.set()
        ready.set()  # process ended: unblock the waiter

    threading.Thread(target=pump, name=f"{service}-output", daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            handle.stop(5)
            raise TimeoutError(f"{service} not ready after {timeout:.0f}s:\n{handle.log_tail()}")
    if handle.port == 0:
        handle.stop(5)
        raise ServiceExitedError(service, process.returncode, list(handle.output))
    return handle
