"""Black-box: an invalid setting stops `emotion-chat serve` with one line and exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("emotion-chat"))


def serve(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("ORCHESTRATOR_", "CLASSIFIER_", "GENERATOR_", "RECOMMENDER_"))}
    return subprocess.run([CLI, "serve", *argv], capture_output=True, text=True, timeout=60,
                          env={**clean, **env})


def only_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_bad_env_var_is_one_line_with_exit_code_2() -> None:
    line = only_line(serve("orchestrator", ORCHESTRATOR_PORT="abc"))
    assert line == ("emotion-chat serve orchestrator: invalid setting ORCHESTRATOR_PORT='abc': "
                    "must be an integer from 0 to 65535")


def test_a_bad_flag_is_named_as_the_flag() -> None:
    line = only_line(serve("orchestrator", "--crisis-sensitivity", "paranoid"))
    assert line == ("emotion-chat serve orchestrator: invalid setting "
                    "--crisis-sensitivity='paranoid': must be one of precise, balanced, sensitive")


def test_several_bad_settings_give_one_line_each() -> None:
    result = serve("classifier", "--device", "tpu", CLASSIFIER_MAX_BATCH_SIZE="-1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "emotion-chat serve classifier: invalid setting --device='tpu': must be one of auto, "
        "cpu, cuda",
        "emotion-chat serve classifier: invalid setting CLASSIFIER_MAX_BATCH_SIZE='-1': must be "
        "an integer >= 1"]


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    missing, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    key.write_text("not a key")
    result = serve("generator", "--port", "0", "--metrics-port", "0",
                   "--tls-cert-file", str(missing), "--tls-key-file", str(key))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"emotion-chat serve generator: invalid setting --tls-cert-file={str(missing)!r}: "
        "no such file or directory")


def test_a_busy_port_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("generator", "--host", "127.0.0.1", "--port", "0",
                       "--metrics-host", "127.0.0.1", "--metrics-port", str(port))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"emotion-chat serve generator: cannot serve metrics on 127.0.0.1:{port}: "
        "address already in use")


def test_serve_all_reports_a_service_with_bad_settings() -> None:
    result = serve("all", "--free-ports", CLASSIFIER_MODEL="/nonexistent",
                   RECOMMENDER_INDEX_DIR="/nonexistent", CLASSIFIER_MAX_BATCH_SIZE="-1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.splitlines()[-1] == (
        "emotion-chat serve all: classifier did not start: invalid setting "
        "CLASSIFIER_MAX_BATCH_SIZE='-1': must be an integer >= 1")
