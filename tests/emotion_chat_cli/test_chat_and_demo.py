"""Black-box: `emotion-chat serve all` and `emotion-chat chat`, as a user runs them."""

import os
import subprocess
import sys

import pytest

from emotion_chat_cli.launch import start_service


@pytest.fixture(scope="module")
def stack(tiny_model_dir):
    env = {"CLASSIFIER_MODEL": str(tiny_model_dir), "ORCHESTRATOR_ANSWER_THRESHOLD": "0",
           "ORCHESTRATOR_CONFIRM_THRESHOLD": "0"}
    process = start_service("all", ["--free-ports"], env=env, timeout=180)
    yield process
    assert process.stop(timeout=60) == 0


def test_serve_all_then_chat_from_stdin(stack) -> None:
    lines = "안녕!\n오늘 너무 피곤하고 지쳤어\n/history\n/forget\n/quit\n"
    result = subprocess.run(
        [sys.executable, "-m", "emotion_chat_cli", "chat", "--target", stack.target,
         "--persona", "슬픔이", "--conversation", "cli-test"],
        input=lines, capture_output=True, text=True, timeout=60, env=os.environ.copy())
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "나: 안녕!" in out and "rule · sadness" in out
    assert "나: 오늘 너무 피곤하고 지쳤어" in out and "reply · sadness" in out
    assert "classify" in out and "total" in out and "ms]" in out
    assert "(conversation erased)" in out


def test_demo_runs_on_embedded_defaults(tiny_model_dir) -> None:
    env = {**os.environ, "CLASSIFIER_MODEL": str(tiny_model_dir)}
    result = subprocess.run([sys.executable, "-m", "emotion_chat_cli", "demo"], env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "stack ready" in result.stdout
    assert result.stdout.count("봇: ") >= 6
    assert "persona: 버럭이" in result.stdout
