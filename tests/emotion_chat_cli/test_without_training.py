"""The serving images hold no `training` package: the command must still start there."""

import subprocess
import sys

GUARD = '''
import builtins, sys
real = builtins.__import__
def guard(name, *args, **kwargs):
    if name == "training" or name.startswith("training."):
        raise ImportError(f"No module named {name!r}")
    return real(name, *args, **kwargs)
builtins.__import__ = guard
from emotion_chat_cli.main import main
sys.argv = ["emotion-chat", *sys.argv[1:]]
sys.exit(main())
'''


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", GUARD, *args], capture_output=True,
                          text=True, timeout=120)


def test_the_command_starts_without_the_training_package() -> None:
    assert run("--help").returncode == 0
    assert run("health", "--help").returncode == 0


def test_pretrain_says_what_it_needs() -> None:
    result = run("pretrain", "klue/bert-base", "--corpus", "x.txt")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "emotion-chat pretrain: needs the training package (the model-builder image or a "
        "source checkout with the train extra)"]
