import json
from argparse import Namespace

import pytest

from evaluation.data import TableError
from orchestrator.core.safety import Sensitivity
from orchestrator.core.safety.scorer import Scorer
from training.crisis import load, load_everyday, main

RISK = ["진짜 죽고 싶다", "사라지고 싶어", "수면제 모아뒀어", "다 끝내고 싶다",
        "그동안 고마웠어 안녕", "손목 그었어", "살기 싫다 진짜", "없어지고 싶어 그냥"]
SAFE = ["배고파 죽겠다", "게임에서 또 죽었어", "배터리가 죽었어", "웃겨 죽는 줄", "살 빼고 싶어",
        "이 노래 죽인다", "시험 끝나고 싶다", "감기약 먹었어"]


def _table(path, risk, safe):
    rows = [f"{t}\trisk" for t in risk] + [f"{t}\tnone" for t in safe]
    path.write_text("text\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_train_cross_validates_and_writes_a_scorer(tmp_path, capsys) -> None:
    a = _table(tmp_path / "a.tsv", RISK[:4], SAFE[:4])
    b = _table(tmp_path / "b.tsv", RISK[4:], SAFE[4:])
    everyday = tmp_path / "emotions.tsv"
    everyday.write_text("sentence\tlabel\n오늘 점심 맛있었다\t행복\n팀장님 때문에 화나\t분노\n"
                        "시험 떨어져서 속상해\t슬픔\n", encoding="utf-8")
    out = tmp_path / "scorer.json"
    assert main(Namespace(data=[a, b], everyday=[everyday], classifier=None, out=out)) == 0
    printed = capsys.readouterr().out
    assert "16 messages (8 risk) from 2 tables" in printed
    assert "3 everyday messages (no risk)" in printed and "everyday FPR" in printed
    assert "leave-one-table-out" in printed
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert raw["trained_on"] == ["a.tsv", "b.tsv"] and raw["everyday"] == ["emotions.tsv"]
    assert raw["messages"] == 19
    scorer = Scorer.from_file(out)
    assert set(scorer.points) == set(Sensitivity)
    for point in scorer.points.values():
        assert 0 < point.possible <= point.crisis <= 1
    assert scorer.weights
    assert "precise" in printed and "sensitive" in printed


def test_the_held_out_table_is_never_training_data(tmp_path) -> None:
    held_out = _table(tmp_path / "heldout.tsv", RISK, SAFE)
    with pytest.raises(TableError, match="for measuring, not training"):
        load([held_out])
    with pytest.raises(TableError, match="for measuring, not training"):
        load_everyday([held_out])
