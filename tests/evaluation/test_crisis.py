from evaluation.crisis import evaluate_crisis, render


def test_recall_false_alarms_and_what_was_missed(tmp_path) -> None:
    table = tmp_path / "crisis.tsv"
    table.write_text("text\tlabel\tkind\n"
                     "진짜 죽고 싶다 사는 게 너무 힘들어\trisk\texplicit\n"
                     "어젯밤에 또 손목 그었어\trisk\tself_harm\n"
                     "배고파 죽겠어 빨리 밥 먹자\tnone\tintensifier\n"
                     "핸드폰 배터리가 죽었어\tnone\tliteral\n", encoding="utf-8")
    result = evaluate_crisis(table)
    assert (result.detection.recall, result.detection.false_positive_rate) == (1.0, 0.0)
    assert not result.misses and not result.false_alarms
    assert render(result).splitlines()[1].startswith("recall 1.000 (2/2)")
