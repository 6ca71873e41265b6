"""`emotion-chat evaluate` against real servers on free ports (run in a thread: the command
runs its own event loop while the servers run in the test's)."""

import asyncio
import csv

import pytest
from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat_cli.main import main


async def _main(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_classifier_accuracy_table_and_confusion_png(angry_model_dir, tmp_path,
                                                          capsys) -> None:
    table = tmp_path / "labelled.tsv"
    table.write_text("text\tlabel\n택배가 또 늦었어 짜증나\t분노\n부장님 진짜 너무해\t분노\n"
                     "합격했어!!\t행복\n그냥 그래\t중립\n", encoding="utf-8")
    async with running_classifier(angry_model_dir) as classifier:
        code = await _main("evaluate", "classifier", "--data", str(table),
                           "--target", classifier.target, "--out", str(tmp_path / "out"))
    out = capsys.readouterr().out
    assert code == 0
    assert "accuracy 0.500, macro F1" in out and "| 분노 | 0.500 | 1.000 |" in out
    png = (tmp_path / "out" / "confusion.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert (tmp_path / "out" / "classifier.md").read_text(encoding="utf-8").startswith(
        "accuracy 0.500")


@pytest.mark.parametrize("front_door", ["grpc", "http"])
async def test_conversation_consistency_crisis_kinds_and_review_sheet(
        angry_model_dir, tmp_path, capsys, front_door) -> None:
    table = tmp_path / "conversation.tsv"
    table.write_text("text\temotion\tcrisis\tconversation\n"
                     "택배가 또 분실됐대\t분노\tno\ta\n"
                     "진짜 죽고 싶다 사는 게 너무 힘들어\t슬픔\tyes\tb\n"
                     "배고파 죽겠어\t중립\tno\tc\n", encoding="utf-8")
    async with running_classifier(angry_model_dir) as classifier, \
            running_generator() as generator, \
            running_orchestrator(classifier.target, generator.target) as orch:
        target = orch.http_url if front_door == "http" else orch.target
        code = await _main("evaluate", "conversation", "--data", str(table), "--target",
                           target, "--classifier", classifier.target, "--out",
                           str(tmp_path / "out"))
    out = capsys.readouterr().out
    assert code == 0
    assert "3 turns in" in out
    # every text reads as 분노 to this classifier: the replies to 분노 are consistent
    assert "emotion consistency (reply vs the detected emotion, generated replies): 1.000" in out
    assert "crisis: recall 1.000 (1/1), false positives 0.000 (0/2)" in out
    assert "crisis 1" in out
    with (tmp_path / "out" / "review.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert [r["kind"] for r in rows][1] == "crisis"
    assert "109" in rows[1]["reply"]
    assert set(rows[0]) >= {"text", "detected", "reply", "kind", "fit", "note"}


async def test_a_bad_table_is_a_clear_error(tmp_path, capsys) -> None:
    table = tmp_path / "bad.tsv"
    table.write_text("text\temotion\n안녕\t기쁨\n", encoding="utf-8")
    code = await _main("evaluate", "conversation", "--data", str(table),
                       "--target", "127.0.0.1:9", "--classifier", "127.0.0.1:9")
    assert code == 2
    assert "unknown emotion(s) ['기쁨']" in capsys.readouterr().err
