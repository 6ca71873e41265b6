"""The masking-BERT paper's masked-LM pre-training: emotion-word mining, emotion-first
masking with BERT's budget, and `pretrain` on a tiny BERT producing a checkpoint that
`emotion-chat train` can load."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pytest

from training.demo import DATASET
from training.masking import (
    association,
    budget,
    choose_positions,
    emotion_spans,
    emotion_token_flags,
    mask_sentence,
)
from training.pretrain import main, mine_emotion_words, pretrain, read_corpus, read_lexicon
from training.tables import LabelledData, read_table

HAPPY = ["오늘 너무 행복해", "기분 좋아 신나", "행복한 하루였어 좋다", "신나서 춤췄어",
         "진짜 좋아 행복해", "시험 붙어서 신나", "좋은 소식 들어서 행복해"]
SAD = ["너무 슬퍼서 울었어", "혼자라 외롭고 슬퍼", "눈물이 나 슬프다", "외로운 밤이야 울고 싶다",
       "슬픈 영화 보고 울었어", "헤어져서 눈물만 나", "외롭다 오늘은"]
NEUTRAL = ["내일 회의 있어", "점심 먹었어", "오늘 회의 끝났어", "버스 타고 가는 중",
           "점심 뭐 먹지", "내일 버스 몇 시야", "회의실 예약했어"]


@pytest.fixture(scope="module")
def small_table() -> LabelledData:
    texts = HAPPY + SAD + NEUTRAL
    return LabelledData(texts, ["행복"] * 7 + ["슬픔"] * 7 + ["중립"] * 7)


def test_mining_ranks_emotion_words_per_label(small_table: LabelledData) -> None:
    ranked = association(small_table, min_count=2)
    happy = [w for w, _ in ranked["행복"][:4]]
    sad = [w for w, _ in ranked["슬픔"][:4]]
    assert {"좋", "행복", "신나"} <= set(happy)
    assert {"슬프", "울", "외롭"} & set(sad) and "눈물" in {w for w, _ in ranked["슬픔"]}
    words = mine_emotion_words(small_table, top_per_label=5, min_count=2)
    assert {"좋", "행복", "신나", "슬프"} <= set(words)
    assert "회의" not in words and "점심" not in words  # neutral topics are not mined
    assert len(words) == len(set(words))


def test_read_lexicon_skips_comments(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.txt"
    path.write_text("# emotion words\n행복\n\n슬프  # adjective stem\n행복\n", encoding="utf-8")
    assert read_lexicon(path) == ["행복", "슬프"]


def test_emotion_spans_find_surface_and_conjugated_forms() -> None:
    text = "너무 슬퍼서 행복했던 날이 좋아"
    spans = {text[s:e] for s, e in emotion_spans(text, ["슬프", "행복", "좋"])}
    assert {"슬퍼", "행복", "좋"} <= spans
    assert emotion_spans("나 지금 출근해", ["나"]) == []  # the pronoun is not 나(다)


def test_emotion_masking_spends_the_budget_on_emotion_tokens_first() -> None:
    candidates = list(range(1, 21))  # 20 tokens: a budget of 3
    assert budget(20) == 3 and budget(4) == 1 and budget(0) == 0
    for seed in range(5):
        two = choose_positions(candidates, {4, 9}, "emotion", random.Random(seed))
        assert {4, 9} <= set(two) and len(two) == 3
        many = choose_positions(candidates, {2, 4, 6, 8, 10}, "emotion", random.Random(seed))
        assert set(many) <= {2, 4, 6, 8, 10} and len(many) == 3
        assert len(choose_positions(candidates, {4}, "random", random.Random(seed))) == 3
    first = choose_positions(candidates, {4, 9}, "emotion", random.Random(7))
    assert first == choose_positions(candidates, {4, 9}, "emotion", random.Random(7))


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight tiny BertForMaskedLM with a WordPiece tokenizer (like tiny_models)."""
    import torch
    from transformers import BertConfig, BertForMaskedLM

    from training.classifier.tokenizer import train_wordpiece

    data, _ = read_table(DATASET)
    tokenizer = train_wordpiece(data.texts[::3], vocab_size=800)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                        hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    out = tmp_path_factory.mktemp("tiny-mlm") / "base"
    BertForMaskedLM(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def test_masked_positions_on_a_toy_sentence(tiny_base: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    text = "오늘 아침에 버스를 타고 회사에 갔는데 너무 행복해서 웃었어 정말로"
    encoded = tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True)
    ids = encoded["input_ids"]
    flags = emotion_token_flags(encoded["offset_mapping"], emotion_spans(text, ["행복"]))
    emotion = {i for i, f in enumerate(flags) if f}
    pieces = "".join(tokenizer.convert_ids_to_tokens([ids[i] for i in sorted(emotion)]))
    assert "행복" in pieces.replace("##", "")
    maskable = [not s for s in encoded["special_tokens_mask"]]
    assert not flags[0] and not flags[-1]  # [CLS] and [SEP]
    assert sum(maskable) * 0.15 >= len(emotion)  # the budget covers the emotion word
    for seed in range(5):
        masked, labels, hits = mask_sentence(ids, maskable, flags, "emotion", random.Random(seed),
                                             tokenizer.mask_token_id, [10, 11, 12])
        chosen = {i for i, label in enumerate(labels) if label != -100}
        assert emotion <= chosen and hits == len(emotion)
        assert len(chosen) == budget(sum(maskable))
        assert all(labels[i] == ids[i] for i in chosen)
        assert all(masked[i] == ids[i] for i in range(len(ids)) if i not in chosen)
        again = mask_sentence(ids, maskable, flags, "emotion", random.Random(seed),
                              tokenizer.mask_token_id, [10, 11, 12])
        assert again == (masked, labels, hits)
    _, labels, _ = mask_sentence(ids, maskable, flags, "random", random.Random(0),
                                 tokenizer.mask_token_id, [10, 11, 12])
    assert sum(label != -100 for label in labels) == budget(sum(maskable))


def test_pretrain_saves_a_checkpoint_train_can_fine_tune(tiny_base: Path, tmp_path: Path,
                                                         small_table: LabelledData) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    data, _ = read_table(DATASET)
    corpus = data.texts[:50]
    words = mine_emotion_words(small_table, min_count=2)
    out = tmp_path / "pretrained"
    report = pretrain(str(tiny_base), corpus, out, "emotion", words, epochs=1, batch_size=16,
                      lr=1e-3, seed=0, max_length=64, progress=False, device="cpu")
    saved = json.loads((out / "pretraining_report.json").read_text(encoding="utf-8"))
    assert saved == report
    assert report["masking"] == "emotion" and report["words"] == len(words)
    assert report["steps"] == 4 and len(report["loss_per_epoch"]) == 1
    assert report["masked_emotion_share"] > report["emotion_token_share"] > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # temp dir renamed
    model = AutoModelForSequenceClassification.from_pretrained(out, num_labels=7)
    tokenizer = AutoTokenizer.from_pretrained(out)
    logits = model(**tokenizer(["오늘 너무 행복해"], return_tensors="pt")).logits
    assert tuple(logits.shape) == (1, 7)


def _args(**fields: object) -> argparse.Namespace:
    defaults: dict[str, object] = {
        "base": "unused", "corpus": None, "text_column": "sentence", "masking": "random",
        "lexicon": None, "labelled": None, "out": None, "epochs": 1, "batch_size": 8,
        "lr": 1e-3, "seed": 0}
    return argparse.Namespace(**{**defaults, **fields})


def test_main_reports_a_missing_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    missing = tmp_path / "nope.txt"
    assert main(_args(corpus=missing, out=tmp_path / "out")) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {missing}: no such file"
    assert not (tmp_path / "out").exists()


def test_main_needs_emotion_words_for_emotion_masking(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("오늘 너무 행복해\n\n오늘 너무 행복해\n슬퍼\n", encoding="utf-8")
    assert read_corpus(corpus) == ["오늘 너무 행복해", "슬퍼"]
    assert main(_args(corpus=corpus, masking="emotion", out=tmp_path / "out")) == 2
    assert "--lexicon" in capsys.readouterr().err


def test_main_runs_from_a_table_corpus_and_a_labelled_table(tiny_base: Path, tmp_path: Path
                                                            ) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("an older run", encoding="utf-8")
    table = tmp_path / "corpus.tsv"
    data, _ = read_table(DATASET)
    table.write_text("sentence\tlabel\n" + "".join(
        f"{t}\t{label}\n" for t, label in zip(data.texts[::40], data.labels[::40], strict=True)),
        encoding="utf-8")
    assert main(_args(base=str(tiny_base), corpus=table, masking="emotion", labelled=table,
                      out=out, batch_size=16)) == 0
    assert (out / "pretraining_report.json").is_file() and not (out / "stale.txt").exists()
