import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_code_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_protos.py"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stale_check_detects_an_edit(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import gen_protos

    committed = tmp_path / "emotion_chat" / "v1"
    committed.mkdir(parents=True)
    for path in (ROOT / "emotion_chat" / "v1").iterdir():
        if path.is_file():
            (committed / path.name).write_bytes(path.read_bytes())
    (committed / "classifier_pb2.pyi").write_text("# edited by hand\n")
    monkeypatch.setattr(gen_protos, "ROOT", tmp_path)
    assert gen_protos.stale_files() == ["classifier_pb2.pyi"]
