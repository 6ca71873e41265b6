"""Black-box: `emotion-chat serve all` and `emotion-chat chat`, as a user runs them."""

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from emotion_chat_cli.launch import start_service


@pytest.fixture(scope="module")
def stack(tiny_model_dir, music_index_dir):
    env = {"CLASSIFIER_MODEL": str(tiny_model_dir), "ORCHESTRATOR_ANSWER_THRESHOLD": "0",
           "ORCHESTRATOR_CONFIRM_THRESHOLD": "0", "RECOMMENDER_INDEX_DIR": str(music_index_dir)}
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


def test_serve_all_includes_the_recommender(stack) -> None:
    assert "recommender: 127.0.0.1:" in stack.log_tail(80)
    turn = httpx.post(f"{stack.http_url}/v1/conversations/all-songs/messages",
                      json={"text": "오늘 합격했어!"}, timeout=30).json()
    assert turn["kind"] == "generated" and len(turn["tracks"]) == 4


def test_the_scripted_demo_runs_on_embedded_defaults(tiny_model_dir, music_index_dir) -> None:
    env = {**os.environ, "CLASSIFIER_MODEL": str(tiny_model_dir),
           "RECOMMENDER_INDEX_DIR": str(music_index_dir)}
    result = subprocess.run([sys.executable, "-m", "emotion_chat_cli", "demo", "--script"],
                            env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "stack ready" in result.stdout
    assert result.stdout.count("봇: ") >= 6
    assert "persona: 버럭이" in result.stdout


def test_the_demo_serves_the_chat_page_until_interrupted(tiny_model_dir,
                                                        music_index_dir) -> None:
    env = {**os.environ, "CLASSIFIER_MODEL": str(tiny_model_dir), "PYTHONUNBUFFERED": "1",
           "RECOMMENDER_INDEX_DIR": str(music_index_dir)}
    demo = subprocess.Popen([sys.executable, "-m", "emotion_chat_cli", "demo"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        deadline = time.monotonic() + 180
        assert demo.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = demo.stdout.readline()
            assert line, "the demo exited before printing the page's URL"
            found = re.search(r"Open the chat page:\s+(http://\S+/)", line)
            url = found[1] if found else None
        assert url is not None
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200 and "emotion-chat" in page.text
        turn = httpx.post(f"{url}v1/conversations/demo-page/messages",
                          json={"text": "안녕!"}, timeout=30)
        assert turn.status_code == 200 and turn.json()["reply"]
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
