"""`emotion-chat health`, the images' HEALTHCHECK: a real generator server, the real command
as a subprocess (exit 0 SERVING, 1 not healthy with one line, 2 usage)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from certs import make_certs
from grpc_health.v1 import health_pb2
from servers import running_generator

from emotion_chat_cli.health import PORT_VARIABLES

CLI = str(Path(sys.executable).with_name("emotion-chat"))
GENERATOR = "emotion_chat.v1.GeneratorService"


def clean_env(**env: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k not in PORT_VARIABLES}
    return {**kept, **env}


def health(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "health", *argv], capture_output=True, text=True, timeout=30,
                          env=clean_env(**env))


async def ahealth(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The subprocess off the event loop that serves the in-process server."""
    return await asyncio.to_thread(health, *argv, **env)


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections and never answers (an HTTP/2 handshake that never comes)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


async def test_serving_server_and_service_exit_0() -> None:
    async with running_generator() as server:
        result = await ahealth("--target", server.target)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"{server.target}: server SERVING"
        result = await ahealth("--target", server.target, "--service", GENERATOR)
        assert result.returncode == 0, result.stderr
        assert await asyncio.to_thread(
            lambda: health("--port", str(server.runner.port)).returncode) == 0


async def test_not_serving_and_unknown_service_exit_1() -> None:
    async with running_generator() as server:
        await server.runner.health.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
        line = one_line(await ahealth("--target", server.target), 1)
        assert line == f"emotion-chat health: {server.target}: server NOT_SERVING"
        # the service's own name is still SERVING
        assert (await ahealth("--target", server.target, "--service", GENERATOR)
                ).returncode == 0
        line = one_line(await ahealth("--target", server.target, "--service", "no.Such"), 1)
        assert line == (f"emotion-chat health: {server.target}: NOT_FOUND: the server knows "
                        "no service 'no.Such'")


async def test_draining_server_is_not_serving() -> None:
    async with running_generator() as server:
        await server.runner.health.enter_graceful_shutdown()
        line = one_line(await ahealth("--target", server.target, "--service", GENERATOR), 1)
        assert line.endswith(f"service '{GENERATOR}' NOT_SERVING")


async def test_default_target_comes_from_the_first_port_variable_set() -> None:
    async with running_generator() as server:
        port = str(server.runner.port)
        assert (await ahealth(GENERATOR_PORT=port)).returncode == 0
        # CLASSIFIER_PORT comes first: it wins over GENERATOR_PORT
        assert (await ahealth(CLASSIFIER_PORT=port, GENERATOR_PORT="1")).returncode == 0
        assert (await ahealth(RECOMMENDER_PORT=port, ORCHESTRATOR_PORT="1")).returncode == 0
        assert (await ahealth(ORCHESTRATOR_PORT=port)).returncode == 0
        # --port wins over the environment
        assert (await ahealth("--port", port, CLASSIFIER_PORT="1")).returncode == 0


def test_closed_port_is_unreachable_exit_1(closed_port: int) -> None:
    line = one_line(health("--port", str(closed_port)), 1)
    assert line.startswith(f"emotion-chat health: 127.0.0.1:{closed_port}: unreachable: ")


def test_no_answer_in_time_is_a_timeout_exit_1(silent_port: int) -> None:
    result = health("--target", f"127.0.0.1:{silent_port}", "--timeout", "0.5")
    line = one_line(result, 1)
    assert line == (f"emotion-chat health: 127.0.0.1:{silent_port}: timed out: no answer "
                    "within 0.5s")


@pytest.mark.parametrize(("argv", "env", "message"), [
    ((), {}, "no target: give --target HOST:PORT or --port PORT, or set one of "
             "CLASSIFIER_PORT, GENERATOR_PORT, RECOMMENDER_PORT, ORCHESTRATOR_PORT"),
    ((), {"GENERATOR_PORT": "abc"}, "invalid GENERATOR_PORT='abc': not a port number: 'abc'"),
    ((), {"CLASSIFIER_PORT": "0"}, "invalid CLASSIFIER_PORT='0': must be from 1 to 65535: '0'"),
    (("--port", "1", "--ca-file", "/nonexistent/ca.pem"), {},
     "cannot read --ca-file '/nonexistent/ca.pem': no such file or directory"),
])
def test_usage_errors_exit_2_with_one_line(argv, env, message) -> None:
    assert one_line(health(*argv, **env), 2) == f"emotion-chat health: {message}"


@pytest.mark.parametrize("argv", [
    ("--timeout", "0"), ("--timeout", "soon"), ("--port", "70000"),
    ("--target", "127.0.0.1:1", "--port", "1"), ("--bogus",), ("extra",)])
def test_bad_arguments_exit_2(argv) -> None:
    result = health(*argv, CLASSIFIER_PORT="1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "emotion-chat health: error:" in result.stderr


async def test_tls_with_the_ca_file(tmp_path: Path) -> None:
    certs = make_certs(tmp_path)
    async with running_generator(tls_cert_file=certs.server_cert,
                                 tls_key_file=certs.server_key) as server:
        ok = await ahealth("--target", server.target, "--tls", "--ca-file", str(certs.ca))
        assert ok.returncode == 0, ok.stderr
        # --ca-file alone implies TLS
        assert (await ahealth("--target", server.target, "--ca-file", str(certs.ca))
                ).returncode == 0
        # the system roots do not trust the throw-away CA; plaintext is refused
        assert (await ahealth("--target", server.target, "--tls")).returncode == 1
        one_line(await ahealth("--target", server.target, "--timeout", "2"), 1)


def test_it_imports_only_grpc_and_health(closed_port: int) -> None:
    """What the HEALTHCHECK loads every few seconds: no service, numpy, onnxruntime, torch,
    not even pydantic (the rest of the command line)."""
    script = (
        "import sys\n"
        "from emotion_chat_cli.main import main\n"
        f"code = main(['health', '--port', '{closed_port}', '--timeout', '1'])\n"
        "print(code, ' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=30, env=clean_env())
    code, modules = result.stdout.split(" ", 1)
    assert code == "1", result.stderr
    loaded = set(modules.split())
    assert {"grpc", "grpc_health"} <= loaded
    heavy = {"numpy", "onnxruntime", "torch", "transformers", "pydantic", "pydantic_settings",
             "classifier_service", "generator_service", "recommender_service", "orchestrator",
             "emotion_chat", "prometheus_client", "tokenizers"}
    assert not heavy & loaded, heavy & loaded


def test_listed_in_the_command_line_help() -> None:
    result = subprocess.run([CLI, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "health" in result.stdout
    result = subprocess.run([CLI, "health", "--help"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0
    for flag in ("--target", "--port", "--service", "--timeout", "--tls", "--ca-file"):
        assert flag in result.stdout
