"""Architecture-identical models with random weights, so figures hold for the real sizes.

`klue/bert-base` cannot be downloaded here; its architecture (vocab 32000, hidden 768, 12
layers, 12 heads, 512 positions) is rebuilt with random weights and 58 labels (the BERT & GPT
pipeline paper's sub-emotions), with a WordPiece tokenizer trained on the shipped Korean text,
then exported through the same `emotion-chat export` path users take.
"""

from __future__ import annotations

from pathlib import Path

from emotion_chat.paths import data_home
from emotion_chat.taxonomy import AIHUB_SUB_EMOTIONS

KLUE_BERT_BASE = {"vocab_size": 32000, "hidden_size": 768, "num_hidden_layers": 12,
                  "num_attention_heads": 12, "intermediate_size": 3072,
                  "max_position_embeddings": 512, "type_vocab_size": 2}
# On the shipped text a 3000-piece WordPiece vocabulary segments much like klue/bert-base's
# ("오늘 시험 끝나서 너무 행복해!" → 오늘 시험 끝나 ##서 너무 행복해 !): about 14 tokens per
# benchmark sentence of 24 characters; a larger one memorises whole words of this small
# corpus and would make sequences unrealistically short. The model keeps klue's 32000-row
# embedding.
BENCH_TOKENIZER_VOCAB = 3000
# The 58 sub-emotion labels of the AI-Hub 감성 대화 말뭉치 (the BERT & GPT pipeline
# paper, section 4.2.3).
SUB_EMOTIONS_58 = AIHUB_SUB_EMOTIONS  # the fine-tuned klue/bert-base label set


def bert_base_dir() -> Path:
    return data_home() / "models" / "bench-klue-bert-base-58"


def build_bert_base(out_dir: Path | None = None, *, optimize: bool = False, fp16: bool = False,
                    int8: bool = False, force: bool = False) -> Path:
    """Export a klue/bert-base-shaped classifier with random weights (58 labels).

    The PyTorch checkpoint is kept in `<out_dir>-checkpoint` for the per-request baseline.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from training.classifier.export import export
    from training.classifier.tokenizer import train_wordpiece
    from training.demo import DATASET
    from training.tables import read_table

    out_dir = out_dir or bert_base_dir()
    checkpoint = checkpoint_of(out_dir)
    if (out_dir / "model.onnx").is_file() and (checkpoint / "config.json").is_file() \
            and not force:
        return out_dir
    assert len(SUB_EMOTIONS_58) == 58
    data, _ = read_table(DATASET)
    tokenizer = train_wordpiece(data.texts, vocab_size=BENCH_TOKENIZER_VOCAB)
    torch.manual_seed(0)
    config = BertConfig(pad_token_id=tokenizer.pad_token_id,
                        id2label=dict(enumerate(SUB_EMOTIONS_58)),
                        label2id={label: i for i, label in enumerate(SUB_EMOTIONS_58)},
                        **KLUE_BERT_BASE)
    model = BertForSequenceClassification(config).eval()
    model.save_pretrained(checkpoint)
    tokenizer.save_pretrained(checkpoint)
    export(str(checkpoint), out_dir, optimize=optimize, fp16=fp16, int8=int8,
           model_version="random-0")
    return out_dir


def checkpoint_of(onnx_dir: Path) -> Path:
    """Where build_bert_base keeps the PyTorch checkpoint of an exported model."""
    return onnx_dir.with_name(onnx_dir.name + "-checkpoint")


# skt/kogpt2-base-v2: GPT-2 with a 51200-token vocabulary, 12 layers, n_embd 768, 1024 positions.
KOGPT2_BASE = {"vocab_size": 51200, "n_positions": 1024, "n_embd": 768, "n_layer": 12,
               "n_head": 12, "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 3}


def kogpt2_base_dir() -> Path:
    return data_home() / "models" / "bench-kogpt2-base-v2"


def build_kogpt2_base(out_dir: Path | None = None, force: bool = False) -> Path:
    """A kogpt2-base-v2-shaped GPT-2 with random weights and a KoGPT2-style tokenizer."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from training.generator.tokenizer import shipped_korean_text, train_kogpt2_tokenizer

    out_dir = out_dir or kogpt2_base_dir()
    if (out_dir / "config.json").is_file() and not force:
        return out_dir
    tokenizer = train_kogpt2_tokenizer(shipped_korean_text(), vocab_size=8000)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(**KOGPT2_BASE)).eval()
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
