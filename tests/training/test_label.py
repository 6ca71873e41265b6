import asyncio
import json
import socket
from argparse import Namespace
from itertools import pairwise
from pathlib import Path

import pytest
from servers import gate, running_classifier
from tiny_models import SINGLE_LABELS

from training.label import (
    LabelError,
    Labelled,
    Pair,
    Utterance,
    label,
    main,
    pairs,
    read_dialogues,
    throughput,
    write_pairs,
)

SHIPPED = Path(__file__).parents[2] / "training" / "corpora" / "dialogues_ko.jsonl"

# Three dialogues, written out of order: read_dialogues sorts them by dialogue, then turn.
DIALOGUES = {
    "d1": ["오늘 회사에서 팀장님한테 또 혼났어", "무슨 일 있었어? 많이 속상했겠다",
           "보고서 마감을 하루 늦췄거든", "다음엔 미리 말씀드려 보자"],
    "d2": ["드디어 합격했어!", "와 정말 축하해", "너무 기뻐서\t눈물이 나"],
    "d3": ["요즘 잠이 안 와", "무슨 걱정 있어?", "시험이 다가오니까 불안해",
           "같이 계획 세워볼까", "응 고마워"],
}


def _records() -> list[dict[str, object]]:
    records = [{"dialogue_id": d, "turn": t, "utterance": text}
               for d, texts in DIALOGUES.items() for t, text in enumerate(texts)]
    return records[::-1]


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return _jsonl(tmp_path / "dialogues.jsonl", _records())


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _saved(checkpoint: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in _lines(checkpoint)]


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def _bulk(server) -> float:
    """Texts the server classified through ClassifyStream so far."""
    return server.metric("classifier_texts_total", {"priority": "bulk"}) or 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_reads_and_sorts_dialogues(corpus) -> None:
    utterances = read_dialogues(corpus)
    assert [(u.dialogue_id, u.turn) for u in utterances][:5] == [
        ("d1", 0), ("d1", 1), ("d1", 2), ("d1", 3), ("d2", 0)]
    assert len(utterances) == 12
    assert utterances[0] == Utterance("d1", 0, "오늘 회사에서 팀장님한테 또 혼났어")
    assert utterances[0].id == "d1#0"
    assert len({u.id for u in utterances}) == 12


def test_reads_other_column_names_from_csv(tmp_path) -> None:
    path = tmp_path / "corpus.csv"
    path.write_text("conv,idx,text\nA,2,셋\nA,1,둘\nB,0,하나\n", encoding="utf-8")
    utterances = read_dialogues(path, text_column="text", dialogue_column="conv",
                                turn_column="idx")
    assert [(u.id, u.text) for u in utterances] == [("A#1", "둘"), ("A#2", "셋"),
                                                    ("B#0", "하나")]


@pytest.mark.parametrize(("records", "message"), [
    ([{"dialogue_id": "d1", "turn": 0, "text": "안녕"}], r"lacks the column\(s\) 'utterance'"),
    ([{"dialogue_id": "d1", "turn": 0, "utterance": "안녕"},
      {"dialogue_id": "d1", "turn": 1, "utterance": "  "}],
     r"row 2 \(dialogue 'd1'\) has an empty 'utterance'"),
    ([{"dialogue_id": "d1", "turn": "첫째", "utterance": "안녕"}],
     r"row 1 \(dialogue 'd1'\) has a 'turn' that is no integer: '첫째'"),
    ([{"dialogue_id": "d1", "turn": 0, "utterance": "안녕"},
      {"dialogue_id": "d1", "turn": 0, "utterance": "반가워"}],
     r"row 2 repeats dialogue 'd1' turn 0 \(first at row 1\)"),
    ([{"dialogue_id": "", "turn": 0, "utterance": "안녕"}], r"row 1 has an empty 'dialogue_id'"),
])
def test_a_bad_corpus_is_one_clear_error(tmp_path, records, message) -> None:
    path = _jsonl(tmp_path / "bad.jsonl", records)
    with pytest.raises(ValueError, match=message) as raised:
        read_dialogues(path)
    assert "\n" not in str(raised.value)


def test_main_reports_a_bad_corpus_in_one_line(tmp_path, capsys) -> None:
    path = _jsonl(tmp_path / "bad.jsonl", [{"dialogue_id": "d1", "turn": "x", "utterance": "a"}])
    args = Namespace(corpus=path, classifier="127.0.0.1:1", out=tmp_path / "pairs.tsv",
                     text_column="utterance", dialogue_column="dialogue_id", turn_column="turn",
                     checkpoint=None)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "no integer" in err
    assert not (tmp_path / "pairs.tsv").exists()


def test_pairs_are_consecutive_turns_with_the_first_ones_emotion(corpus, tmp_path) -> None:
    utterances = read_dialogues(corpus)
    labels = {u.id: Labelled(u.id, f"감정{u.turn}", 0.5) for u in utterances}
    made = pairs(utterances, labels)
    assert len(made) == 12 - 3
    assert made[0] == Pair("오늘 회사에서 팀장님한테 또 혼났어", "무슨 일 있었어? 많이 속상했겠다",
                           "감정0")
    assert made[3] == Pair("드디어 합격했어!", "와 정말 축하해", "감정0")
    assert made[4].s2 == "너무 기뻐서\t눈물이 나"
    out = tmp_path / "out" / "pairs.tsv"
    assert write_pairs(made, out) == 9
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "s1\ts2\temotion"
    assert lines[5] == "와 정말 축하해\t너무 기뻐서 눈물이 나\t감정1"
    assert all(line.count("\t") == 2 for line in lines)
    assert [p.name for p in out.parent.iterdir()] == ["pairs.tsv"]


def test_an_interrupted_write_leaves_the_old_output(tmp_path) -> None:
    out = tmp_path / "pairs.tsv"
    out.write_text("old\n", encoding="utf-8")

    def broken():
        yield Pair("a\nb", "c", "행복")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        write_pairs(broken(), out)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pairs.tsv"]


async def test_labels_a_korean_corpus_end_to_end(tiny_model_dir, tmp_path, capsys) -> None:
    """The shipped Korean corpus when present, else the small one above, through main."""
    path = SHIPPED if SHIPPED.is_file() else _jsonl(tmp_path / "dialogues.jsonl", _records())
    utterances = read_dialogues(path)
    dialogues = len({u.dialogue_id for u in utterances})
    out = tmp_path / "pairs.tsv"
    async with running_classifier(tiny_model_dir, stream_window=16) as server:
        args = Namespace(corpus=path, classifier=server.target, out=out,
                         text_column="utterance", dialogue_column="dialogue_id",
                         turn_column="turn", checkpoint=None)
        assert await asyncio.to_thread(main, args) == 0
        assert _bulk(server) == len(utterances)
    printed = capsys.readouterr().out
    assert f"{len(utterances)} utterances in {dialogues} dialogues" in printed
    assert f"labelled {len(utterances)} now and 0 from the checkpoint" in printed
    assert f"wrote {len(utterances) - dialogues} pairs" in printed and "texts/s" in printed
    lines = _lines(out)
    assert lines[0] == "s1\ts2\temotion"
    assert len(lines) - 1 == len(utterances) - dialogues
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == 3 and row[0] and row[1] for row in rows)
    assert {row[2] for row in rows} <= set(SINGLE_LABELS)
    checkpoint = Path(f"{out}.labels.jsonl")
    saved = _saved(checkpoint)
    assert sorted(r["id"] for r in saved) == sorted(u.id for u in utterances)
    assert all(r["label"] in SINGLE_LABELS and 0 < r["score"] <= 1 for r in saved)
    by_id = {r["id"]: r["label"] for r in saved}
    expected = [by_id[a.id] for a, b in pairwise(utterances)
                if a.dialogue_id == b.dialogue_id]
    assert [row[2] for row in rows] == expected


async def test_labels_match_classify_and_a_rerun_classifies_nothing(
        tiny_model_dir, corpus, tmp_path) -> None:
    from emotion_chat.v1 import classifier_pb2 as pb

    utterances = read_dialogues(corpus)
    checkpoint = tmp_path / "labels.jsonl"
    async with running_classifier(tiny_model_dir) as server:
        labels = await label(utterances, server.target, checkpoint, progress=False, window=4)
        unary = await server.stub.Classify(pb.ClassifyRequest(
            texts=[u.text for u in utterances], top_k=1))
        for u, result in zip(utterances, unary.results, strict=True):
            assert labels[u.id].label == result.scores[0].label
            assert labels[u.id].score == pytest.approx(result.scores[0].score, abs=1e-5)
        again = await label(utterances, server.target, checkpoint, progress=False)
        assert _bulk(server) == len(utterances)
    assert again == labels


async def test_resumes_from_the_checkpoint(tiny_model_dir, corpus, tmp_path) -> None:
    utterances = read_dialogues(corpus)
    half = len(utterances) // 2
    checkpoint = tmp_path / "labels.jsonl"
    async with running_classifier(tiny_model_dir) as server:
        first = await label(utterances[:half], server.target, checkpoint, progress=False)
        assert _bulk(server) == half
        assert set(first) == {u.id for u in utterances[:half]}
        # An interruption in the middle of writing a line: that line is dropped.
        _append(checkpoint, '{"id": "d3#4", "lab')
        labels = await label(utterances, server.target, checkpoint, progress=False)
        assert _bulk(server) == len(utterances)  # only the rest was sent
    assert set(labels) == {u.id for u in utterances}
    assert all(labels[i] == first[i] for i in first)
    saved = _saved(checkpoint)
    assert len(saved) == len(utterances)
    assert sorted(str(r["id"]) for r in saved) == sorted(labels)
    write_pairs(pairs(utterances, labels), tmp_path / "pairs.tsv")


async def test_never_more_than_the_window_in_flight(tiny_model_dir, corpus, tmp_path,
                                                    monkeypatch) -> None:
    utterances = read_dialogues(corpus)
    async with running_classifier(tiny_model_dir, stream_window=64) as server:
        core = server.service.core
        received: list[str] = []
        check = core.check_text

        def counting(text, where):
            received.append(where)
            return check(text, where)

        monkeypatch.setattr(core, "check_text", counting)
        gated = gate(server)
        gated.open.clear()  # hold every batch: nothing is answered
        task = asyncio.create_task(label(utterances, server.target, tmp_path / "labels.jsonl",
                                         progress=False, window=3))
        try:
            await asyncio.sleep(0.5)
            assert len(received) == 3  # the server would take 64; the client sent only 3
        finally:
            gated.open.set()
        labels = await task
    assert len(labels) == len(utterances) and len(received) == len(utterances)


async def test_a_server_error_names_the_status_and_keeps_the_answers(
        tiny_model_dir, tmp_path) -> None:
    utterances = [Utterance("d1", 0, "안녕"), Utterance("d1", 1, "반가워"),
                  Utterance("d1", 2, " "), Utterance("d1", 3, "잘 지내?")]
    checkpoint = tmp_path / "labels.jsonl"
    async with running_classifier(tiny_model_dir) as server:
        with pytest.raises(LabelError, match=r"failed: INVALID_ARGUMENT: .*id 'd1#2'"):
            await label(utterances, server.target, checkpoint, progress=False, window=1)
    saved = _saved(checkpoint)
    assert [r["id"] for r in saved] == ["d1#0", "d1#1"]


async def test_an_unreachable_classifier_is_unavailable(tmp_path) -> None:
    with pytest.raises(LabelError, match="UNAVAILABLE"):
        await label([Utterance("d1", 0, "안녕")], f"127.0.0.1:{_free_port()}",
                    tmp_path / "labels.jsonl", progress=False)


async def test_throughput_of_stream_and_batched_classify(tiny_model_dir) -> None:
    texts = [f"{text} {i}" for i in range(8) for texts in DIALOGUES.values()
             for text in texts]
    async with running_classifier(tiny_model_dir) as server:
        rates = await throughput(texts, server.target, batch=16)
        assert _bulk(server) == len(texts)
    assert set(rates) == {"stream", "classify"}
    assert rates["stream"] > 0 and rates["classify"] > 0
