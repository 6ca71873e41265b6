"""Tiny BERT classifiers built by the tests: random weights, WordPiece tokenizer trained on the
shipped Korean dataset, exported to ONNX through the real `emotion-chat export` path."""

from __future__ import annotations

from pathlib import Path

SINGLE_LABELS = ("행복", "불안", "슬픔", "당황", "상처", "분노", "중립")
INSIDE_OUT_LABELS = ("분노", "슬픔", "불안", "기쁨")
INSIDE_OUT_THRESHOLDS = {"분노": 0.5, "슬픔": 0.45, "불안": 0.55, "기쁨": 0.5}
TINY_ARCHITECTURE = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                     "intermediate_size": 64, "max_position_embeddings": 128}


def build_checkpoint(out: Path, labels: tuple[str, ...], multi_label: bool = False,
                     seed: int = 0, favour: str | None = None) -> Path:
    """Save a random-weight tiny BertForSequenceClassification + tokenizer (HF format)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from training.classifier.tokenizer import train_wordpiece
    from training.demo import DATASET
    from training.tables import read_table

    data, _ = read_table(DATASET)
    tokenizer = train_wordpiece(data.texts, vocab_size=1500)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
        id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
        problem_type="multi_label_classification" if multi_label else
        "single_label_classification", **TINY_ARCHITECTURE)
    if multi_label:
        config.label_thresholds = INSIDE_OUT_THRESHOLDS
    model = BertForSequenceClassification(config).eval()
    if favour is not None:  # a model that answers `favour` for every text, confidently
        with torch.no_grad():
            model.classifier.bias[labels.index(favour)] = 8.0
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build_onnx(work: Path, labels: tuple[str, ...], multi_label: bool = False,
               favour: str | None = None) -> Path:
    from training.classifier.export import export

    checkpoint = build_checkpoint(work / "checkpoint", labels, multi_label, favour=favour)
    export(str(checkpoint), work / "onnx", model_version="test-1", progress=lambda _: None)
    return work / "onnx"


def build_tiny_kogpt2(out: Path, seed: int = 0) -> Path:
    """A random-weight tiny GPT-2 with a KoGPT2-style tokenizer (bos 0, eos 1, pad 3)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from training.generator.tokenizer import shipped_korean_text, train_kogpt2_tokenizer

    tokenizer = train_kogpt2_tokenizer(shipped_korean_text(), vocab_size=2000)
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=256, n_embd=32, n_layer=2,
                        n_head=2, bos_token_id=0, eos_token_id=1, pad_token_id=3)
    model = GPT2LMHeadModel(config).eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
