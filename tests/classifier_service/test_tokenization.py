from pathlib import Path

from classifier_service.tokenization import TextEncoder


def test_truncation_is_flagged_and_padding_is_per_batch(tiny_model_dir: Path) -> None:
    encoder = TextEncoder.from_file(tiny_model_dir / "tokenizer.json", max_length=16)
    short, long = encoder.encode(["안녕", "오늘 정말 너무 행복한 하루였어 " * 10])
    assert not short.truncated and short.length < 16
    assert long.truncated and long.length == 16
    batch = encoder.pad([short, long])
    assert batch.input_ids.shape == (2, 16)
    assert batch.attention_mask[0].sum() == short.length
    assert (batch.input_ids[0, short.length:] == encoder.pad_id).all()
    assert batch.padded_tokens == 32


def test_single_and_batch_encoding_agree(tiny_model_dir: Path) -> None:
    encoder = TextEncoder.from_file(tiny_model_dir / "tokenizer.json", max_length=128)
    texts = ["친구가 서운하게 했어", "내일 비 온대요"]
    assert [e.ids for e in encoder.encode(texts)] == [encoder.encode([t])[0].ids for t in texts]
